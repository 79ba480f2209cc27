#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a command will write, checked before any work starts and written atomically at the end.
///
/// Checking means proving that the write can happen: the path is not a directory or a special
/// file, the nearest existing ancestor is a directory, and a probe file can be created (and is
/// removed) in it. A probe, not `access()`: root passes every permission check, yet cannot create
/// files under `/proc` or on a read-only mount, and a long training run must not be lost to that.
public enum OutputPath {
  /// Checks that a file can be written at `path` (creating missing parent directories).
  ///
  /// - Throws: `FileError.isDirectory`, `.notRegularFile`, `.notDirectory` (a parent is a file),
  ///   or `.system` with the reason the probe could not be created.
  public static func checkFile(_ path: String) throws(FileError) {
    var information = stat()
    if stat(path, &information) == 0 {
      let kind = information.st_mode & S_IFMT
      if kind == S_IFDIR { throw .isDirectory(path: path) }
      if kind != S_IFREG {
        throw .notRegularFile(path: path, kind: kindPhrase(information.st_mode))
      }
    } else if errno != ENOENT && errno != ENOTDIR {
      throw .fromSystem(errno, path: path, operation: .create)
    }
    try probe(directory: try nearestExistingDirectory(above: path), for: path)
  }

  /// Checks that files can be written in the directory `path` (created when missing).
  public static func checkDirectory(_ path: String) throws(FileError) {
    var information = stat()
    if stat(path, &information) == 0 {
      guard information.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory(path: path) }
      try probe(directory: path, for: path)
      return
    }
    guard errno == ENOENT || errno == ENOTDIR else {
      throw .fromSystem(errno, path: path, operation: .create)
    }
    try probe(directory: try nearestExistingDirectory(above: path), for: path)
  }

  /// Writes `bytes` to `path` atomically: a temporary file in the same directory, `fsync`, then
  /// `rename` over `path`. Missing parent directories are created. Readers see the old file or
  /// the new one, never a part.
  public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
    try createDirectories(directory(of: path), for: path)
    let temporary = path + ".partial-\(getpid())"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw .fromSystem(errno, path: path, operation: .create) }
    var failure: Int32?
    bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count, let base = buffer.baseAddress {
        let result = systemWrite(descriptor, base + written, buffer.count - written)
        if result > 0 {
          written += result
        } else if result < 0 && errno != EINTR {
          failure = errno
          return
        }
      }
    }
    if failure == nil && fsync(descriptor) != 0 { failure = errno }
    if close(descriptor) != 0 && failure == nil { failure = errno }
    if failure == nil && rename(temporary, path) != 0 { failure = errno }
    if let failure {
      unlink(temporary)
      throw .fromSystem(failure, path: path, operation: .write)
    }
  }

  /// Writes UTF-8 `text` to `path` atomically.
  public static func write(text: String, to path: String) throws(FileError) {
    try write(Array(text.utf8), to: path)
  }

  /// Creates `directory` and its missing parents (mode 0755).
  public static func createDirectories(_ directory: String, for path: String) throws(FileError) {
    var information = stat()
    if stat(directory, &information) == 0 {
      guard information.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory(path: directory) }
      return
    }
    let parent = Self.directory(of: directory)
    if parent != directory { try createDirectories(parent, for: path) }
    if mkdir(directory, 0o755) != 0 && errno != EEXIST {
      throw .fromSystem(errno, path: directory, operation: .create)
    }
  }

  /// The directory part of `path` (`.` for a bare name).
  static func directory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
  }

  /// The closest ancestor of `path` that exists; it must be a directory.
  private static func nearestExistingDirectory(above path: String) throws(FileError) -> String {
    var current = directory(of: path)
    while true {
      var information = stat()
      if stat(current, &information) == 0 {
        guard information.st_mode & S_IFMT == S_IFDIR else { throw .notDirectory(path: current) }
        return current
      }
      guard errno == ENOENT || errno == ENOTDIR else {
        throw .fromSystem(errno, path: current, operation: .create)
      }
      let parent = directory(of: current)
      if parent == current { return current }
      current = parent
    }
  }

  /// Creates and removes a probe file in `directory`; errors name `target`.
  private static func probe(directory: String, for target: String) throws(FileError) {
    // A random name: two checks at once (threads of one process, or two processes) must not
    // collide on O_EXCL.
    let probe = directory + "/.starling-probe-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NONBLOCK, 0o600)
    guard descriptor >= 0 else {
      // ENOENT in a directory that exists: a pseudo file system such as /proc, which has no
      // room for new files.
      let reason =
        errno == ENOENT
        ? "files cannot be created in '\(directory)'" : FileError.plainReason(errno)
      throw .system(path: target, operation: .create, reason: reason)
    }
    _ = close(descriptor)
    unlink(probe)
  }
}

/// POSIX `write`, reachable from `OutputPath`, whose own `write` methods hide it.
private func systemWrite(
  _ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int
) -> Int {
  write(descriptor, buffer, count)
}
