import Platform

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A directory of decompressed copies of gzipped IDX files, so later runs skip inflating.
///
/// Why it exists: zlib 1.2.13 inflates Fashion-MNIST's 26 MB training images in about 0.17 s,
/// while reading the 47 MB decompressed copy takes about 0.03 s, and the whole budget from
/// process start to the first training step is 0.2 s.
///
/// An entry is a plain IDX file named after its source's real path, size, modification time and
/// inode, so a changed source misses the cache and its stale entry is deleted when the new one is
/// stored; each source keeps at most one entry. Entries are read with the same validation as any
/// IDX file; a damaged entry is deleted and the source read instead. The cache is an
/// optimisation only: failing to read or write it never fails a load.
public struct DecompressedCache: Sendable, Equatable {
  /// The directory holding the entries; created when the first entry is stored.
  public let directory: String

  public init(directory: String) {
    self.directory = directory
  }

  /// `$XDG_CACHE_HOME/starling/datasets`, else `$HOME/.cache/starling/datasets`; `nil` when
  /// neither variable holds an absolute path.
  public static func standard() -> DecompressedCache? {
    if let base = environment("XDG_CACHE_HOME") {
      return DecompressedCache(directory: base + "/starling/datasets")
    }
    if let home = environment("HOME") {
      return DecompressedCache(directory: home + "/.cache/starling/datasets")
    }
    return nil
  }

  private static func environment(_ name: String) -> String? {
    guard let value = getenv(name).map({ String(cString: $0) }), value.hasPrefix("/") else {
      return nil
    }
    return value
  }

  /// Reads the IDX file at `path` through the cache when `path` names a `.gz` file.
  func readIDX(
    _ path: String, expectedMagic: UInt32, memoryBudget: MemoryBudget = .system()
  ) throws(DatasetError) -> IDXFile {
    guard path.hasSuffix(".gz"), let key = CacheKey(source: path) else {
      return try IDXFile(contentsOf: path, expectedMagic: expectedMagic, memoryBudget: memoryBudget)
    }
    let entry = directory + "/" + key.entryName
    if access(entry, F_OK) == 0 {
      if let cached = try? IDXFile(
        contentsOf: entry, expectedMagic: expectedMagic, memoryBudget: memoryBudget)
      {
        return cached
      }
      unlink(entry)
    }
    let file = try IDXFile(
      contentsOf: path, expectedMagic: expectedMagic, memoryBudget: memoryBudget)
    if store(file, at: entry) { removeEntries(withPrefix: key.sourcePrefix, except: key.entryName) }
    return file
  }

  /// Writes `file` to `entry` through a temporary file and a rename, so that readers never see
  /// a partial entry. Returns whether it succeeded.
  private func store(_ file: IDXFile, at entry: String) -> Bool {
    guard makeDirectories(directory) else { return false }
    let temporary = entry + ".partial-\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return false }
    let header = file.header()
    let isWritten =
      header.withUnsafeBytes { writeAll(descriptor, $0) }
      && file.elements.withUnsafeBytes { writeAll(descriptor, $0) }
    let isClosed = close(descriptor) == 0
    guard isWritten && isClosed && rename(temporary, entry) == 0 else {
      unlink(temporary)
      return false
    }
    return true
  }

  private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var written = 0
    while written < bytes.count {
      let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
      if result > 0 {
        written += result
      } else if result < 0 && errno == EINTR {
        continue
      } else {
        return false
      }
    }
    return true
  }

  /// `mkdir -p`: whether `path` exists as a directory afterwards.
  private func makeDirectories(_ path: String) -> Bool {
    var prefix = ""
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
      prefix += "/" + component
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST { return false }
    }
    var information = stat()
    return stat(path, &information) == 0 && (information.st_mode & S_IFMT) == S_IFDIR
  }

  /// Deletes the stale entries of a source (and leftovers of interrupted writes).
  private func removeEntries(withPrefix prefix: String, except kept: String) {
    guard let listing = opendir(directory) else { return }
    defer { closedir(listing) }
    var stale: [String] = []
    while let item = readdir(listing) {
      let name = withUnsafeBytes(of: item.pointee.d_name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name.hasPrefix(prefix) && name != kept { stale.append(name) }
    }
    for name in stale { unlink(directory + "/" + name) }
  }
}

/// What identifies one version of a source file.
struct CacheKey {
  /// Start of the names of every entry of this source, whatever its version.
  let sourcePrefix: String
  /// The name of the entry of this version of the source.
  let entryName: String

  /// The key of the file at `source`; `nil` when it cannot be examined (then the load reports it).
  init?(source: String) {
    guard let resolved = realpath(source, nil) else { return nil }
    let canonical = String(cString: resolved)
    free(resolved)
    var information = stat()
    guard stat(canonical, &information) == 0 else { return nil }
    var name = source.split(separator: "/").last.map(String.init) ?? "source"
    if name.hasSuffix(".gz") { name.removeLast(".gz".count) }
    sourcePrefix = name + "-" + hexadecimalHash(canonical) + "-"
    #if canImport(Darwin)
      let modified = information.st_mtimespec
    #else
      let modified = information.st_mtim
    #endif
    let version = [
      Int(information.st_size), Int(modified.tv_sec), Int(modified.tv_nsec),
      Int(information.st_ino),
    ]
    entryName = sourcePrefix + version.map(String.init).joined(separator: "-") + ".idx"
  }
}

/// FNV-1a, 64 bits, as sixteen hexadecimal digits: a short stable name for a path.
private func hexadecimalHash(_ text: String) -> String {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  for byte in text.utf8 {
    hash ^= UInt64(byte)
    hash = hash &* 0x0000_0100_0000_01B3
  }
  let digits = String(hash, radix: 16)
  return String(repeating: "0", count: 16 - digits.count) + digits
}
