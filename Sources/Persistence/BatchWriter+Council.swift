import Wire

// The council's term, vote, log, applied index and snapshot.
extension BatchWriter {
  /// Raft's persistent state never goes back: the term only grows, and a vote cast in a term
  /// stays (a second vote in one term could elect two leaders).
  func setTermAndVote(term: UInt64, votedFor: PeerID?) throws(PersistenceError) {
    let stored = try storedTermAndVote()
    guard term >= stored.term else {
      throw invalid("term \(term) is older than the stored term \(stored.term)")
    }
    if term == stored.term, let vote = stored.votedFor, vote != votedFor {
      throw invalid("term \(term) already has a vote for \(vote)")
    }
    try connection.run(
      "UPDATE council_state SET term = ?, voted_for = ? WHERE singleton = 1",
      [.unsigned(term), votedFor.map { .identifier($0) } ?? .null])
  }

  func appendEntries(_ entries: [LogEntry]) throws(PersistenceError) {
    guard let first = entries.first else { return }
    guard first.index >= 1 else { throw invalid("log indices start at 1") }
    guard first.index <= UInt64(Int64.max) - UInt64(entries.count) else {
      throw invalid("log index \(first.index) is not below 2^63 - \(entries.count)")
    }
    for (offset, entry) in entries.enumerated() where entry.index != first.index + UInt64(offset) {
      throw invalid("entry \(entry.index) follows \(first.index + UInt64(offset) - 1)")
    }
    try ensureCouncilRow()
    let snapshot = try storedSnapshotPosition()
    guard first.index > snapshot.index else {
      throw invalid("entry \(first.index) is inside the snapshot (up to \(snapshot.index))")
    }
    let lastIndex = try lastLogIndex(after: snapshot.index)
    guard first.index <= lastIndex + 1 else {
      throw invalid("entry \(first.index) leaves a gap after the last stored entry \(lastIndex)")
    }
    var previousTerm = try term(at: first.index - 1, snapshot: snapshot)
    for entry in entries {
      guard entry.term >= previousTerm else {
        throw invalid("entry \(entry.index) has term \(entry.term), below \(previousTerm)")
      }
      previousTerm = entry.term
    }
    try connection.run("DELETE FROM council_log WHERE log_index >= ?", [.unsigned(first.index)])
    for entry in entries { try insert(entry) }
  }

  func truncateLog(from index: UInt64) throws(PersistenceError) {
    guard index >= 1 else { throw invalid("log indices start at 1") }
    let snapshot = try storedSnapshotPosition()
    guard index > snapshot.index else {
      throw invalid(
        "truncating from \(index) would cut into the snapshot (up to \(snapshot.index))")
    }
    guard let signed = Int64(exactly: index) else { return }
    try connection.run("DELETE FROM council_log WHERE log_index >= ?", [.integer(signed)])
  }

  func setAppliedIndex(_ index: UInt64) throws(PersistenceError) {
    try ensureCouncilRow()
    try connection.run(
      "UPDATE council_state SET applied_index = ? WHERE singleton = 1", [.unsigned(index)])
  }

  func installSnapshot(_ snapshot: CouncilSnapshot) throws(PersistenceError) {
    guard snapshot.lastIndex >= 1 else { throw invalid("a snapshot replaces at least entry 1") }
    let lastIndex = try ordered(snapshot.lastIndex, "snapshot index")
    guard snapshot.state.count <= limits.snapshotBytesMax else {
      throw .limitExceeded(
        path: path, field: "snapshot bytes", count: snapshot.state.count,
        maximum: limits.snapshotBytesMax)
    }
    let stored = try storedSnapshotPosition()
    guard snapshot.lastIndex >= stored.index else {
      throw invalid("snapshot up to \(snapshot.lastIndex) is older than the stored one")
    }
    try ensureCouncilRow()
    let termAtIndex = try connection.row(
      "SELECT term FROM council_log WHERE log_index = ?", [lastIndex]
    ) { row throws(PersistenceError) in row.unsigned(0) }
    if termAtIndex == snapshot.lastTerm {
      try connection.run("DELETE FROM council_log WHERE log_index <= ?", [lastIndex])
    } else {
      try connection.run("DELETE FROM council_log")
    }
    try connection.run(
      """
      INSERT INTO council_snapshot (singleton, last_index, last_term, checksum, state)
      VALUES (1, ?1, ?2, ?3, ?4)
      ON CONFLICT (singleton) DO UPDATE SET last_index = ?1, last_term = ?2, checksum = ?3,
        state = ?4
      """,
      [
        lastIndex, .unsigned(snapshot.lastTerm),
        .unsigned(StoreChecksum.of(snapshot.state, seed: snapshot.lastIndex)),
        .blob(snapshot.state),
      ])
    try connection.run(
      "UPDATE council_state SET applied_index = max(applied_index, ?) WHERE singleton = 1",
      [lastIndex])
  }

  /// What no single operation can check: the log's size, that no entry is of a term later than
  /// the current one, and that the applied index is inside the log.
  func checkCouncil() throws(PersistenceError) {
    let stored = try storedTermAndVote()
    let snapshot = try storedSnapshotPosition()
    let lastIndex = try lastLogIndex(after: snapshot.index)
    // The log after the snapshot is contiguous (every operation keeps it so): its size is the
    // distance between the two, read without counting rows.
    let entryCount = lastIndex - snapshot.index
    guard entryCount <= UInt64(limits.logEntriesMax) else {
      throw .limitExceeded(
        path: path, field: "council log entries", count: Int(entryCount),
        maximum: limits.logEntriesMax)
    }
    let lastTerm = try term(at: lastIndex, snapshot: snapshot)
    guard lastTerm <= stored.term else {
      throw invalid(
        "entry \(lastIndex) has term \(lastTerm), after the current term \(stored.term)")
    }
    let appliedIndex = try connection.integer(
      "SELECT applied_index FROM council_state WHERE singleton = 1")
    guard UInt64(bitPattern: appliedIndex) <= lastIndex else {
      throw invalid(
        "applied index \(UInt64(bitPattern: appliedIndex)) is beyond the log (\(lastIndex))")
    }
  }

  private func insert(_ entry: LogEntry) throws(PersistenceError) {
    let bytes = entry.wireBytes
    guard bytes.count <= limits.logEntryBytesMax else {
      throw .limitExceeded(
        path: path, field: "bytes of log entry \(entry.index)", count: bytes.count,
        maximum: limits.logEntryBytesMax)
    }
    try connection.run(
      "INSERT INTO council_log (log_index, term, checksum, entry) VALUES (?, ?, ?, ?)",
      [
        .unsigned(entry.index), .unsigned(entry.term),
        .unsigned(StoreChecksum.of(bytes, seed: entry.index)), .blob(bytes),
      ])
  }

  private func ensureCouncilRow() throws(PersistenceError) {
    try connection.run(
      """
      INSERT INTO council_state (singleton, term, voted_for, applied_index) VALUES (1, 0, NULL, 0)
      ON CONFLICT (singleton) DO NOTHING
      """)
  }

  private func storedTermAndVote() throws(PersistenceError) -> (term: UInt64, votedFor: PeerID?) {
    try ensureCouncilRow()
    let path = self.path
    let stored = try connection.row("SELECT term, voted_for FROM council_state") {
      row throws(PersistenceError) in
      (
        row.unsigned(0),
        row.isNull(1)
          ? nil : try row.identifier(1, as: PeerID.self, table: "council_state", path: path)
      )
    }
    return stored ?? (0, nil)
  }

  private func storedSnapshotPosition() throws(PersistenceError) -> (index: UInt64, term: UInt64) {
    try connection.row("SELECT last_index, last_term FROM council_snapshot") {
      row throws(PersistenceError) in (row.unsigned(0), row.unsigned(1))
    } ?? (0, 0)
  }

  /// The last stored entry's index, or the snapshot's when the log after it is empty.
  private func lastLogIndex(after snapshotIndex: UInt64) throws(PersistenceError) -> UInt64 {
    let last = try connection.row("SELECT max(log_index) FROM council_log") {
      row throws(PersistenceError) in row.isNull(0) ? nil : row.unsigned(0)
    }
    return max(last.flatMap { $0 } ?? 0, snapshotIndex)
  }

  /// The term of the entry at `index` (the snapshot's at its last index, 0 at index 0).
  private func term(
    at index: UInt64, snapshot: (index: UInt64, term: UInt64)
  ) throws(PersistenceError) -> UInt64 {
    if index == snapshot.index { return snapshot.term }
    let term = try connection.row(
      "SELECT term FROM council_log WHERE log_index = ?", [.unsigned(index)]
    ) { row throws(PersistenceError) in row.unsigned(0) }
    guard let term else { throw invalid("no stored entry at index \(index)") }
    return term
  }
}
