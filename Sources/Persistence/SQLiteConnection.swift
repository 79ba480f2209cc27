import CSQLite

/// A value bound to a statement parameter.
enum SQLValue {
  case integer(Int64)
  case real(Double)
  case text(String)
  case blob([UInt8])
  /// A blob of the floats' little-endian bit patterns (bound without an intermediate copy on
  /// little-endian machines).
  case littleEndianFloats([Float])
  case null
}

/// One SQLite connection: statements are prepared once and cached, and every failure is a
/// `PersistenceError` naming the database file.
///
/// Not thread-safe: `SQLiteStore` uses it under its lock only.
final class SQLiteConnection {
  let path: String
  private var handle: OpaquePointer?
  /// Prepared statements by their SQL text (a fixed set: the store's SQL is all literals).
  private var statements: [String: OpaquePointer] = [:]

  /// Opens the database at `path` for reading and writing; `isCreating` also creates the file.
  init(path: String, isCreating: Bool) throws(PersistenceError) {
    self.path = path
    var handle: OpaquePointer?
    let flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
      | (isCreating ? SQLITE_OPEN_CREATE : 0)
    let code = sqlite3_open_v2(path, &handle, flags, nil)
    guard code == SQLITE_OK, let handle else {
      let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
      sqlite3_close_v2(handle)
      throw PersistenceError(sqliteCode: code, message: message, path: path, operation: "open")
    }
    self.handle = handle
  }

  deinit { close() }

  /// Finalizes every statement and closes the connection; later calls throw `.closed`.
  func close() {
    for statement in statements.values { sqlite3_finalize(statement) }
    statements = [:]
    if let handle { sqlite3_close_v2(handle) }
    handle = nil
  }

  /// Runs one or more statements that take no parameters and return no rows needed.
  func execute(_ sql: String) throws(PersistenceError) {
    let handle = try openHandle()
    let code = sqlite3_exec(handle, sql, nil, nil, nil)
    guard code == SQLITE_OK else { throw error(code: code, operation: sql) }
  }

  /// Runs one statement to completion.
  func run(_ sql: String, _ values: [SQLValue] = []) throws(PersistenceError) {
    _ = try rows(sql, values) { _ throws(PersistenceError) in () }
  }

  /// Runs one statement and reads each row it returns.
  func rows<Row>(
    _ sql: String, _ values: [SQLValue] = [],
    _ read: (SQLiteRow) throws(PersistenceError) -> Row
  ) throws(PersistenceError) -> [Row] {
    let statement = try prepared(sql)
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    for (offset, value) in values.enumerated() {
      let code = bind(value, at: Int32(offset + 1), in: statement)
      guard code == SQLITE_OK else { throw error(code: code, operation: sql) }
    }
    var result: [Row] = []
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { return result }
      guard code == SQLITE_ROW else { throw error(code: code, operation: sql) }
      result.append(try read(SQLiteRow(statement: statement)))
    }
  }

  /// The first row a statement returns, if any.
  func row<Row>(
    _ sql: String, _ values: [SQLValue] = [],
    _ read: (SQLiteRow) throws(PersistenceError) -> Row
  ) throws(PersistenceError) -> Row? {
    try rows(sql, values, read).first
  }

  /// The single integer a statement such as `SELECT count(*)` returns.
  func integer(_ sql: String, _ values: [SQLValue] = []) throws(PersistenceError) -> Int64 {
    guard let value = try row(sql, values, { row throws(PersistenceError) in row.integer(0) })
    else { throw error(code: SQLITE_ERROR, operation: sql + " (no row)") }
    return value
  }

  /// Rows changed by the last `INSERT`, `UPDATE` or `DELETE`.
  var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

  /// The error for a failed call, with SQLite's message.
  func error(code: Int32, operation: String) -> PersistenceError {
    let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed"
    return PersistenceError(sqliteCode: code, message: message, path: path, operation: operation)
  }

  private func openHandle() throws(PersistenceError) -> OpaquePointer {
    guard let handle else { throw .closed(path: path) }
    return handle
  }

  private func prepared(_ sql: String) throws(PersistenceError) -> OpaquePointer {
    if let statement = statements[sql] { return statement }
    let handle = try openHandle()
    var statement: OpaquePointer?
    let code = sqlite3_prepare_v3(
      handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
    guard code == SQLITE_OK, let statement else { throw error(code: code, operation: sql) }
    statements[sql] = statement
    return statement
  }

  private func bind(_ value: SQLValue, at index: Int32, in statement: OpaquePointer) -> Int32 {
    switch value {
    case .integer(let integer):
      return sqlite3_bind_int64(statement, index, integer)
    case .real(let real):
      return sqlite3_bind_double(statement, index, real)
    case .null:
      return sqlite3_bind_null(statement, index)
    case .text(var text):
      // An empty buffer may have no address, which SQLite would bind as NULL.
      guard !text.isEmpty else { return sqlite3_bind_text(statement, index, "", 0, transient) }
      return text.withUTF8 { utf8 in
        utf8.withMemoryRebound(to: CChar.self) {
          sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), transient)
        }
      }
    case .blob(let bytes):
      guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
      return bytes.withUnsafeBytes {
        sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
      }
    case .littleEndianFloats(let values):
      guard !values.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
      return withLittleEndianBytes(of: values) {
        sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient)
      }
    }
  }
}

/// SQLite copies a value bound with this destructor before the bind call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The current row of a statement, valid only inside the `read` closure of `rows`.
struct SQLiteRow {
  fileprivate let statement: OpaquePointer

  func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

  func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

  func real(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }

  /// The column's size in bytes, read without copying the value.
  func byteCount(_ column: Int32) -> Int { Int(sqlite3_column_bytes(statement, column)) }

  /// The column as UTF-8 text, or nil when its bytes are not valid UTF-8.
  func text(_ column: Int32) -> String? {
    withBytes(column) { String(validating: $0, as: UTF8.self) }
  }

  /// The column's bytes, copied.
  func bytes(_ column: Int32) -> [UInt8] { withBytes(column) { Array($0) } }

  /// Calls `body` with the column's bytes (empty for NULL), which live until the row changes.
  func withBytes<Result>(_ column: Int32, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    // The pointer must be fetched before the size (SQLite's documented order).
    let pointer = sqlite3_column_blob(statement, column)
    let count = Int(sqlite3_column_bytes(statement, column))
    return body(UnsafeRawBufferPointer(start: count == 0 ? nil : pointer, count: count))
  }
}

extension PersistenceError {
  /// The typed error for a SQLite result code.
  init(sqliteCode code: Int32, message: String, path: String, operation: String) {
    switch code & 0xFF {
    case SQLITE_NOTADB: self = .notADatabase(path: path)
    case SQLITE_CORRUPT: self = .corrupt(path: path, detail: message)
    case SQLITE_BUSY, SQLITE_LOCKED: self = .locked(path: path)
    case SQLITE_IOERR where code == shortReadCode:
      self = .corrupt(path: path, detail: "a read ended early (\(message))")
    default: self = .sqlite(path: path, operation: operation, code: code, message: message)
    }
  }
}

/// `SQLITE_IOERR_SHORT_READ`, a macro Swift does not import.
private let shortReadCode = SQLITE_IOERR | (2 << 8)
