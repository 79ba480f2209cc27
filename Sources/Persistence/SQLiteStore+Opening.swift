// What `SQLiteStore.init` checks before it trusts a file.
extension SQLiteStore {
  /// Write-ahead log, full sync, the exclusive lock, and SQLite's own defensive checks.
  ///
  /// `fullfsync` makes a sync reach stable storage on macOS, where a plain `fsync` stops at the
  /// drive's cache; Linux ignores it.
  static func configure(_ connection: SQLiteConnection, path: String) throws(PersistenceError) {
    // Exclusive before the first read in WAL mode: the lock is held for the connection's life,
    // and the log's index lives in the process's memory (no `-shm` file).
    try connection.execute("PRAGMA locking_mode = EXCLUSIVE")
    // Two stores opening at once each hold a lock for a moment while they read the header: a
    // short wait lets one of them win instead of both failing. The winner keeps its lock, so
    // the other then fails with `locked`.
    try connection.execute("PRAGMA busy_timeout = \(lockWaitMilliseconds)")
    let journalMode = try connection.row("PRAGMA journal_mode = WAL") {
      row throws(PersistenceError) in row.text(0)
    }
    guard journalMode == "wal" else {
      throw .sqlite(
        path: path, operation: "PRAGMA journal_mode = WAL", code: 0,
        message: "the file system gives journal mode \(journalMode.flatMap { $0 } ?? "none")")
    }
    try connection.execute(
      """
      PRAGMA synchronous = FULL;
      PRAGMA fullfsync = ON;
      PRAGMA checkpoint_fullfsync = ON;
      PRAGMA journal_size_limit = \(journalBytesLimit);
      PRAGMA cell_size_check = ON;
      PRAGMA trusted_schema = OFF;
      """)
  }

  /// The application ID, the integrity check and the schema version, in that order.
  static func check(
    _ connection: SQLiteConnection, path: String, integrityCheck: StoreOptions.IntegrityCheck
  ) throws(PersistenceError) {
    let applicationID = try connection.integer("PRAGMA application_id")
    guard applicationID == Int64(StoreSchema.applicationID) else {
      throw .foreignDatabase(path: path, applicationID: Int32(truncatingIfNeeded: applicationID))
    }
    let pragma = integrityCheck == .quick ? "PRAGMA quick_check" : "PRAGMA integrity_check"
    let problems = try connection.rows(pragma) { row throws(PersistenceError) in
      row.text(0) ?? "(unreadable message)"
    }
    guard problems == ["ok"] else {
      throw .corrupt(
        path: path, detail: problems.prefix(3).joined(separator: "; ") + " (\(pragma))")
    }
    try checkSchemaVersion(connection, path: path)
  }

  /// How long opening waits for a lock another store holds before it reports `locked`.
  static let lockWaitMilliseconds = 250

  /// The most the write-ahead log file keeps on disk after a checkpoint.
  static let journalBytesLimit = 64 << 20

  private static func checkSchemaVersion(
    _ connection: SQLiteConnection, path: String
  ) throws(PersistenceError) {
    let versions = try connection.rows("SELECT version FROM schema_version") {
      row throws(PersistenceError) in row.integer(0)
    }
    guard versions.count == 1, let version = versions.first else {
      throw .invalidRecord(
        path: path, table: "schema_version", reason: "\(versions.count) rows instead of 1")
    }
    guard version <= StoreSchema.version else {
      throw .futureSchemaVersion(path: path, found: version, supported: StoreSchema.version)
    }
    guard version == StoreSchema.version else {
      throw .invalidRecord(
        path: path, table: "schema_version",
        reason: version >= 1
          ? "schema version \(version) is an earlier development version's, whose log entries "
            + "this version cannot read; start the node in a new data directory"
          : "no schema has version \(version)")
    }
  }
}
