import CSodium

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The peer's key file: the 32-byte Ed25519 seed, raw, in a file only its owner can use.
///
/// A new file is created with `open(O_CREAT | O_EXCL, 0600)` (never over an existing one), synced
/// to disk with its directory, and any directory created on the way gets mode 0700. A file is
/// refused, with a reason, when it is not a regular file (a symbolic link is not followed),
/// belongs to another user, grants its group or others any access, or is not exactly 32 bytes.
public enum KeyStore {
  /// The key file's name inside a peer's directory.
  public static let fileName = "identity.key"
  /// The permissions of a new key file: read and write for its owner only.
  public static let fileMode: mode_t = 0o600
  /// The permissions of a directory created for a key file.
  public static let directoryMode: mode_t = 0o700

  /// The key pair in `directory/identity.key`, created (with the directory) if there is none.
  public static func loadOrCreate(directory: String) throws(IdentityError) -> SigningKeyPair {
    try loadOrCreate(file: path(inDirectory: directory))
  }

  /// The key pair in `file`, created (with its directory) if there is none.
  public static func loadOrCreate(file: String) throws(IdentityError) -> SigningKeyPair {
    if let keyPair = try load(file: file) { return keyPair }
    do throws(IdentityError) {
      return try create(file: file)
    } catch {
      // Another process created the file between the two calls: its key is the key.
      if case .keyFileExists = error, let keyPair = try load(file: file) { return keyPair }
      throw error
    }
  }

  /// `directory/identity.key`.
  public static func path(inDirectory directory: String) -> String {
    directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
  }

  /// The key pair in `file`, or `nil` if there is no such file (nor its directory).
  public static func load(file: String) throws(IdentityError) -> SigningKeyPair? {
    // lstat first only for a precise message (a symbolic link, a socket); the checks that count
    // are made on the opened descriptor, so the file cannot be swapped in between.
    var linkStatus = stat()
    if lstat(file, &linkStatus) == 0, let kind = fileKind(linkStatus.st_mode) {
      throw .keyFileNotRegular(path: file, kind: kind)
    }
    // O_NONBLOCK: opening a named pipe must not wait for a writer; it is refused below.
    let descriptor = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
      let errorNumber = errno
      switch errorNumber {
      // ENOTDIR: a component of the path is a file, so there is no key file either; `create`
      // then names the component.
      case ENOENT, ENOTDIR: return nil
      case ELOOP: throw .keyFileNotRegular(path: file, kind: .symbolicLink)
      default: throw .systemCall(path: file, operation: .open, errorNumber: errorNumber)
      }
    }
    defer { _ = close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw .systemCall(path: file, operation: .inspect, errorNumber: errno)
    }
    try check(status, path: file)
    return try readKeyPair(from: descriptor, path: file)
  }

  /// A new key pair, written to `file` (and its directory created if missing).
  /// - Throws: `IdentityError.keyFileExists` if there is a file at `file` already.
  public static func create(file: String) throws(IdentityError) -> SigningKeyPair {
    try create(file: file, keyPair: SigningKeyPair.generate())
  }

  /// Writes `keyPair` (made by the caller, say found by `SigningKeyPair.search`) to a new
  /// `file` (and creates its directory if missing), as `create(file:)` does.
  /// - Throws: `IdentityError.keyFileExists` if there is a file at `file` already.
  @discardableResult
  public static func create(
    file: String, keyPair: SigningKeyPair
  ) throws(IdentityError) -> SigningKeyPair {
    let directory = parentDirectory(of: file)
    try ensureDirectory(directory)
    let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fileMode)
    guard descriptor >= 0 else {
      let errorNumber = errno
      if errorNumber == EEXIST { throw .keyFileExists(path: file) }
      throw .systemCall(path: file, operation: .create, errorNumber: errorNumber)
    }
    do throws(IdentityError) {
      try keyPair.withSeed { (seed) throws(IdentityError) in
        try writeAll(seed, to: descriptor, path: file)
      }
      guard fsync(descriptor) == 0 else {
        throw .systemCall(path: file, operation: .syncFile, errorNumber: errno)
      }
      guard close(descriptor) == 0 else {
        throw .systemCall(path: file, operation: .write, errorNumber: errno)
      }
    } catch {
      // Never leave a partial key file behind: it would be refused at the next start.
      _ = close(descriptor)
      _ = unlink(file)
      throw error
    }
    try syncDirectory(directory)
    return keyPair
  }

  /// Throws unless `status` describes a private regular file of the right size owned by us.
  static func check(_ status: stat, path: String) throws(IdentityError) {
    if let kind = fileKind(status.st_mode) { throw .keyFileNotRegular(path: path, kind: kind) }
    let userID = geteuid()
    guard status.st_uid == userID else {
      throw .keyFileWrongOwner(path: path, ownerID: UInt32(status.st_uid), userID: UInt32(userID))
    }
    guard status.st_mode & 0o077 == 0 else {
      throw .keyFileNotPrivate(path: path, mode: UInt32(status.st_mode & 0o7777))
    }
    guard status.st_size == SigningKeyPair.seedByteCount else {
      throw .keyFileWrongSize(path: path, byteCount: Int(status.st_size))
    }
  }

  /// `nil` for a regular file, else what the file is.
  static func fileKind(_ mode: mode_t) -> IdentityError.FileKind? {
    switch mode & S_IFMT {
    case S_IFREG: nil
    case S_IFDIR: .directory
    case S_IFLNK: .symbolicLink
    case S_IFIFO: .fifo
    case S_IFSOCK: .socket
    case S_IFCHR, S_IFBLK: .device
    default: .unknown
    }
  }

  /// Reads the seed (exactly `seedByteCount` bytes) and derives the key pair.
  static func readKeyPair(from descriptor: Int32, path: String) throws(IdentityError)
    -> SigningKeyPair
  {
    let byteCount = SigningKeyPair.seedByteCount
    var seed = [UInt8](repeating: 0, count: byteCount)
    defer { sodium_memzero(&seed, byteCount) }
    var filled = 0
    while filled < byteCount {
      let count = seed.withUnsafeMutableBytes { buffer in
        read(descriptor, buffer.baseAddress! + filled, byteCount - filled)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .systemCall(path: path, operation: .read, errorNumber: errno)
      }
      // The file shrank after it was inspected.
      if count == 0 { throw .keyFileWrongSize(path: path, byteCount: filled) }
      filled += count
    }
    return SigningKeyPair(seed: seed)
  }

  /// Writes all of `bytes`, retrying short writes and interruptions.
  static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, path: String)
    throws(IdentityError)
  {
    var written = 0
    while written < bytes.count {
      let count = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
      if count < 0 {
        if errno == EINTR { continue }
        throw .systemCall(path: path, operation: .write, errorNumber: errno)
      }
      written += count
    }
  }

  /// Creates `path` and any missing parents with `directoryMode`; existing directories are left
  /// as they are (the key file's own permissions protect the key).
  static func ensureDirectory(_ path: String) throws(IdentityError) {
    var missing: [String] = []
    var current = path
    while true {
      var status = stat()
      if stat(current, &status) == 0 {
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .notADirectory(path: current) }
        break
      }
      let errorNumber = errno
      // ENOTDIR: some ancestor is a file; walking up finds it and names it.
      guard errorNumber == ENOENT || errorNumber == ENOTDIR else {
        throw .systemCall(path: current, operation: .inspect, errorNumber: errorNumber)
      }
      missing.append(current)
      let parent = parentDirectory(of: current)
      if parent == current { break }
      current = parent
    }
    for directory in missing.reversed() where mkdir(directory, directoryMode) != 0 {
      let errorNumber = errno
      // Another process may have created it meanwhile.
      guard errorNumber == EEXIST else {
        throw .systemCall(path: directory, operation: .createDirectory, errorNumber: errorNumber)
      }
    }
  }

  /// Makes the new directory entry durable: without it a crash could lose a synced file.
  static func syncDirectory(_ path: String) throws(IdentityError) {
    let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw .systemCall(path: path, operation: .syncDirectory, errorNumber: errno)
    }
    defer { _ = close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw .systemCall(path: path, operation: .syncDirectory, errorNumber: errno)
    }
  }

  /// The directory part of `path` ("." for a bare name, "/" at the root), like `dirname`.
  static func parentDirectory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    var parent = trimmed[..<slash]
    while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
    return parent.isEmpty ? "/" : String(parent)
  }
}
