import Foundation
import Wire

/// A node's durable state in one SQLite database, `DIRECTORY/state.sqlite`.
///
/// The database runs in write-ahead-log mode with `synchronous = FULL`: `apply(_:)` commits its
/// batch in one transaction and returns only once the commit is on disk, so a batch that
/// returned survives a `SIGKILL` or a power cut, and a batch that did not is invisible. The
/// store holds the database with an exclusive lock: a second store on the same directory fails
/// to open (`locked`) instead of interleaving writes.
///
/// Opening checks the file before trusting it (its header, its application ID, SQLite's
/// integrity check, the schema version) and every read checks bounds and checksums, so a damaged
/// or foreign file gives a `PersistenceError` naming it, never wrong state and never a crash.
public final class SQLiteStore {
  /// The database file.
  public let path: String
  public let options: StoreOptions
  private let lock = NSLock()
  /// Nil once closed.
  private var connection: SQLiteConnection?

  /// Opens the store in `directory`, creating the directory and an empty store if needed.
  public init(directory: String, options: StoreOptions = StoreOptions()) throws(PersistenceError) {
    self.options = options
    path = try StoreFile.prepare(directory: directory)
    let connection = try SQLiteConnection(path: path, isCreating: false)
    try Self.configure(connection, path: path)
    try Self.check(connection, path: path, integrityCheck: options.integrityCheck)
    self.connection = connection
  }

  deinit { connection?.close() }

  /// Closes the database (checkpointing its log into it); later calls throw `closed`.
  public func close() {
    lock.lock()
    defer { lock.unlock() }
    connection?.close()
    connection = nil
  }

  /// Writes every operation of `write`, in order, in one transaction that is durable when this
  /// returns. On any error nothing of the batch is written.
  public func apply(_ write: DurableWrite) throws(PersistenceError) {
    try apply(write, beforeCommit: {})
  }

  /// `apply(_:)` with a hook that runs inside the transaction just before it commits (tests copy
  /// the files there to see what a crash at that instant leaves).
  func apply(_ write: DurableWrite, beforeCommit: () -> Void) throws(PersistenceError) {
    try withConnection { connection throws(PersistenceError) in
      guard write.operations.count <= options.limits.operationsPerWriteMax else {
        throw .limitExceeded(
          path: path, field: "operations per batch", count: write.operations.count,
          maximum: options.limits.operationsPerWriteMax)
      }
      guard !write.isEmpty else { return }
      try connection.execute("BEGIN IMMEDIATE")
      do throws(PersistenceError) {
        var writer = BatchWriter(connection: connection, options: options)
        for operation in write.operations { try writer.apply(operation) }
        try writer.finish()
        beforeCommit()
        try connection.execute("COMMIT")
      } catch {
        // The batch's error is the one to report; a failed rollback leaves nothing committed.
        try? connection.execute("ROLLBACK")
        throw error
      }
    }
  }

  /// Everything a restarting node needs, checked: bounds, checksums and the log's order.
  public func load() throws(PersistenceError) -> PersistedState {
    try withConnection { connection throws(PersistenceError) in
      try StoreReader(connection: connection, options: options).load()
    }
  }

  /// The values of the stored model `key` (held or committed), or nil when it is not stored.
  public func model(_ key: ModelKey) throws(PersistenceError) -> [Float]? {
    try withConnection { connection throws(PersistenceError) in
      try StoreReader(connection: connection, options: options).model(key)?.values
    }
  }

  /// The committed models kept, newest first (keys only; no values are read).
  public func committedModels() throws(PersistenceError) -> [ModelKey] {
    try withConnection { connection throws(PersistenceError) in
      try StoreReader(connection: connection, options: options).committedModelKeys()
    }
  }

  private func withConnection<Result>(
    _ body: (SQLiteConnection) throws(PersistenceError) -> Result
  ) throws(PersistenceError) -> Result {
    lock.lock()
    defer { lock.unlock() }
    guard let connection else { throw .closed(path: path) }
    return try body(connection)
  }
}

// The connection (a `sqlite3*`) is touched only inside `withConnection` and `close`, under
// `lock`, and SQLite is used in its serialized-by-caller mode: one thread at a time is all it asks.
extension SQLiteStore: @unchecked Sendable {}
