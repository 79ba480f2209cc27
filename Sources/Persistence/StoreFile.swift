import Foundation

/// The database file before SQLite opens it: created whole, or checked to be a whole SQLite file.
///
/// A new store is written aside (`state.sqlite.creating-UUID`), synced, and linked into place, and
/// the directory is synced: a crash at any instant leaves either no store or a complete empty
/// one, never an empty or half-made file. This is what lets the store refuse a zero-length
/// `state.sqlite` instead of taking it for a new database as SQLite would.
enum StoreFile {
  static let fileName = "state.sqlite"

  /// The path of the database in `directory`, after making sure it holds a usable database
  /// (creating the directory and a fresh store when there is none).
  static func prepare(directory: String) throws(PersistenceError) -> String {
    let path = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw .fileSystem(path: path, operation: "creating the directory", reason: "\(error)")
    }
    if let size = try fileSize(path) {
      try checkHeader(path: path, size: size)
    } else if try fileSize(path + "-wal") != nil {
      throw .orphanedLog(path: path)
    } else {
      try create(path: path, directory: directory)
    }
    return path
  }

  /// Refuses files that are plainly not whole SQLite databases, with a precise reason; SQLite and
  /// the integrity check at open find the rest.
  static func checkHeader(path: String, size: Int) throws(PersistenceError) {
    guard size > 0 else { throw .emptyFile(path: path) }
    let header = try readPrefix(path: path, count: min(size, headerBytes))
    guard header.prefix(magic.count).elementsEqual(magic.prefix(header.count)) else {
      throw .notADatabase(path: path)
    }
    guard header.count == headerBytes else {
      throw .truncated(path: path, bytes: size, expectedBytes: headerBytes)
    }
    let pageSizeField = Int(bigEndian: header, at: 16, count: 2)
    let pageBytes = pageSizeField == 1 ? 65536 : pageSizeField
    guard pageBytes >= 512, pageBytes <= 65536, pageBytes & (pageBytes - 1) == 0 else {
      throw .corrupt(path: path, detail: "the header names a page size of \(pageSizeField)")
    }
    // With a write-ahead log the file may legitimately lag its newest pages; without one, a
    // complete database is a whole number of pages, at least as many as its header counts (the
    // count is valid when the two change counters agree).
    guard try (fileSize(path + "-wal") ?? 0) == 0 else { return }
    let pageCount = Int(bigEndian: header, at: 28, count: 4)
    let isCountValid =
      pageCount > 0 && header[24..<28].elementsEqual(header[92..<96])
    let expectedBytes = max(
      isCountValid ? pageCount * pageBytes : 0, (size + pageBytes - 1) / pageBytes * pageBytes)
    guard size >= expectedBytes else {
      throw .truncated(path: path, bytes: size, expectedBytes: expectedBytes)
    }
  }

  /// The size of the file at `path`, or nil when there is none.
  static func fileSize(_ path: String) throws(PersistenceError) -> Int? {
    var information = stat()
    guard stat(path, &information) == 0 else {
      guard errno == ENOENT else { throw systemError(path: path, operation: "stat") }
      return nil
    }
    return Int(information.st_size)
  }

  private static let headerBytes = 100
  private static let magic = Array("SQLite format 3\0".utf8)

  /// Builds the store under a name of its own, then links it into place. Unlike a rename, a
  /// link fails rather than replace a store that another process (or thread) created meanwhile
  /// and may be writing to; this one then opens that store, and finds it locked.
  private static func create(path: String, directory: String) throws(PersistenceError) {
    let temporary = path + creatingSuffix + UUID().uuidString
    do throws(PersistenceError) {
      let connection = try SQLiteConnection(path: temporary, isCreating: true)
      try connection.execute("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;")
      try connection.execute(
        "BEGIN IMMEDIATE; \(StoreSchema.creation)"
          + " INSERT INTO schema_version (version) VALUES (\(StoreSchema.version));"
          + " PRAGMA application_id = \(StoreSchema.applicationID); COMMIT;")
      connection.close()
      try synchronize(temporary, flags: O_RDONLY)
      guard link(temporary, path) == 0 || errno == EEXIST else {
        throw systemError(path: path, operation: "linking \(temporary) into place")
      }
    } catch {
      removeWithCompanions(temporary)
      throw error
    }
    removeWithCompanions(temporary)
    try synchronize(directory, flags: O_RDONLY | O_DIRECTORY)
  }

  private static let creatingSuffix = ".creating-"

  private static func removeWithCompanions(_ path: String) {
    for suffix in ["", "-journal", "-wal", "-shm"] { unlink(path + suffix) }
  }

  private static func readPrefix(path: String, count: Int) throws(PersistenceError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw systemError(path: path, operation: "open") }
    defer { close(descriptor) }
    var bytes = [UInt8](repeating: 0, count: count)
    let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, 0) }
    guard read >= 0 else { throw systemError(path: path, operation: "read") }
    return Array(bytes.prefix(read))
  }

  private static func synchronize(_ path: String, flags: Int32) throws(PersistenceError) {
    let descriptor = open(path, flags)
    guard descriptor >= 0 else { throw systemError(path: path, operation: "open") }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw systemError(path: path, operation: "fsync") }
  }

  private static func systemError(path: String, operation: String) -> PersistenceError {
    .fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
  }
}

extension Int {
  /// The unsigned big-endian integer in `bytes[offset..<offset + count]` (the SQLite header's
  /// byte order).
  fileprivate init(bigEndian bytes: [UInt8], at offset: Int, count: Int) {
    self = bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
  }
}
