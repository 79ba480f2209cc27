import Wire

/// Why the store could not open, read or write.
///
/// Every failure a file, a disk or a batch can cause is one of these cases, and each one's
/// description is a plain sentence naming the database file, so that an operator can act on it.
/// A store never starts silently from a file it could not read whole.
public enum PersistenceError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file exists but holds no bytes. SQLite would treat it as a new, empty database; the
  /// store refuses it, because it never leaves such a file behind (it creates a database aside
  /// and links it into place), so an empty file is a store that lost its contents.
  case emptyFile(path: String)
  /// The file does not start with the SQLite header.
  case notADatabase(path: String)
  /// A SQLite database written by another application (its header's application ID differs).
  case foreignDatabase(path: String, applicationID: Int32)
  /// The file is shorter than its header says (`bytes` of `expectedBytes`).
  case truncated(path: String, bytes: Int, expectedBytes: Int)
  /// The write-ahead log exists without its database: the database was moved or deleted.
  case orphanedLog(path: String)
  /// SQLite's integrity check, or a read, found a damaged database.
  case corrupt(path: String, detail: String)
  /// The store was written by a newer version of Starling, with a schema this one cannot read.
  case futureSchemaVersion(path: String, found: Int64, supported: Int64)
  /// Another store (in this process or another) has the database open.
  case locked(path: String)
  /// A stored model's bytes do not match the checksum stored with them.
  case modelChecksumMismatch(path: String, round: UInt64, digest: Digest)
  /// A stored value is valid SQLite but not a value this store writes (a bad length, a log with
  /// a gap, bytes that do not decode).
  case invalidRecord(path: String, table: String, reason: String)
  /// A list or a blob, in a batch or in the file, is longer than its bound (`StoreLimits`).
  case limitExceeded(path: String, field: String, count: Int, maximum: Int)
  /// The batch does not apply to what the store holds; nothing of it was written.
  case invalidWrite(path: String, reason: String)
  /// The store was closed before the call.
  case closed(path: String)
  /// Any other failure SQLite reports (a full disk, an IO error, ...).
  case sqlite(path: String, operation: String, code: Int32, message: String)
  /// A file operation around SQLite failed (creating the directory, linking the new store into place).
  case fileSystem(path: String, operation: String, reason: String)

  public var description: String {
    switch self {
    case .emptyFile(let path):
      "\(path) is empty (0 bytes). Starling never leaves an empty store behind, so this may be a "
        + "store that lost its contents; move it away to start with a fresh one."
    case .notADatabase(let path):
      "\(path) is not a SQLite database."
    case .foreignDatabase(let path, let applicationID):
      "\(path) is a SQLite database of another application (application ID \(applicationID))."
    case .truncated(let path, let bytes, let expectedBytes):
      "\(path) is truncated: it has \(bytes) bytes where its header implies \(expectedBytes)."
    case .orphanedLog(let path):
      "\(path) is missing but its write-ahead log \(path)-wal is there: the database was moved "
        + "or deleted. Restore it, or move the log away to start with a fresh store."
    case .corrupt(let path, let detail):
      "\(path) is damaged: \(detail)"
    case .futureSchemaVersion(let path, let found, let supported):
      "\(path) has schema version \(found); this version of Starling reads up to \(supported)."
    case .locked(let path):
      "\(path) is in use by another store (another process, or another store in this one)."
    case .modelChecksumMismatch(let path, let round, let digest):
      "\(path): the stored model of round \(round) (hash \(digest.hexadecimal)) does not match "
        + "its checksum."
    case .invalidRecord(let path, let table, let reason):
      "\(path): table \(table): \(reason)"
    case .limitExceeded(let path, let field, let count, let maximum):
      "\(path): \(field): \(count) exceeds the maximum \(maximum)"
    case .invalidWrite(let path, let reason):
      "\(path): batch refused, nothing written: \(reason)"
    case .closed(let path):
      "\(path): the store is closed."
    case .sqlite(let path, let operation, let code, let message):
      "\(path): \(operation) failed: \(message) (SQLite code \(code))"
    case .fileSystem(let path, let operation, let reason):
      "\(path): \(operation) failed: \(reason)"
    }
  }
}

extension Digest {
  /// All 64 hexadecimal digits of the digest's wire bytes, for messages that must name a model.
  var hexadecimal: String {
    wireBytes.map { byte in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }.joined()
  }
}
