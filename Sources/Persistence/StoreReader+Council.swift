import Coordination
import Wire

// The council's durable state, checked as `CouncilDurableState.validate` checks it (and
// allowing for a snapshot in front of the log).
extension StoreReader {
  func loadCouncil() throws(PersistenceError) -> (
    state: CouncilDurableState?, snapshot: CouncilSnapshot?
  ) {
    let path = self.path
    let stored = try connection.row("SELECT term, voted_for, applied_index FROM council_state") {
      row throws(PersistenceError) in
      (
        term: row.unsigned(0),
        votedFor: row.isNull(1)
          ? nil : try row.identifier(1, as: PeerID.self, table: "council_state", path: path),
        appliedIndex: row.unsigned(2)
      )
    }
    let snapshot = try loadSnapshot()
    let entries = try loadEntries()
    guard let stored else {
      guard snapshot == nil, entries.isEmpty else {
        throw .invalidRecord(
          path: path, table: "council_state", reason: "a council log is stored without a term")
      }
      return (nil, nil)
    }
    let state = CouncilDurableState(
      currentTerm: stored.term, votedFor: stored.votedFor, entries: entries,
      appliedIndex: stored.appliedIndex)
    try validate(state, after: snapshot)
    return (state, snapshot)
  }

  private func loadSnapshot() throws(PersistenceError) -> CouncilSnapshot? {
    let path = self.path
    let bytesMax = limits.snapshotBytesMax
    return try connection.row(
      """
      SELECT last_index, last_term, checksum, length(state),
        CASE WHEN length(state) <= ?1 THEN state END
      FROM council_snapshot
      """, [.integer(Int64(bytesMax))]
    ) { row throws(PersistenceError) in
      let lastIndex = try row.ordered(0, table: "council_snapshot", path: path)
      let byteCount = Int(row.integer(3))
      guard byteCount <= bytesMax else {
        throw .limitExceeded(
          path: path, field: "snapshot bytes", count: byteCount, maximum: bytesMax)
      }
      let state = row.bytes(4)
      guard lastIndex >= 1, StoreChecksum.of(state, seed: lastIndex) == row.unsigned(2) else {
        throw .corrupt(path: path, detail: "the council snapshot does not match its checksum")
      }
      return CouncilSnapshot(lastIndex: lastIndex, lastTerm: row.unsigned(1), state: state)
    }
  }

  private func loadEntries() throws(PersistenceError) -> [LogEntry] {
    try checkCount(
      "SELECT count(*) FROM council_log", field: "council log entries",
      maximum: limits.logEntriesMax)
    let path = self.path
    let bytesMax = limits.logEntryBytesMax
    return try connection.rows(
      """
      SELECT log_index, term, checksum, length(entry),
        CASE WHEN length(entry) <= ?1 THEN entry END
      FROM council_log ORDER BY log_index
      """, [.integer(Int64(bytesMax))]
    ) { row throws(PersistenceError) in
      let index = try row.ordered(0, table: "council_log", path: path)
      let byteCount = Int(row.integer(3))
      guard byteCount <= bytesMax else {
        throw .limitExceeded(
          path: path, field: "bytes of log entry \(index)", count: byteCount, maximum: bytesMax)
      }
      let bytes = row.bytes(4)
      guard StoreChecksum.of(bytes, seed: index) == row.unsigned(2) else {
        throw .corrupt(path: path, detail: "log entry \(index) does not match its checksum")
      }
      let entry: LogEntry
      do {
        entry = try LogEntry(wireBytes: bytes[...])
      } catch {
        throw .invalidRecord(
          path: path, table: "council_log", reason: "entry \(index) does not decode: \(error)")
      }
      guard entry.index == index, entry.term == row.unsigned(1) else {
        throw .invalidRecord(
          path: path, table: "council_log",
          reason: "the row of index \(index) holds entry \(entry.index) of term \(entry.term)")
      }
      return entry
    }
  }

  private func validate(
    _ state: CouncilDurableState, after snapshot: CouncilSnapshot?
  ) throws(PersistenceError) {
    var lastIndex = snapshot?.lastIndex ?? 0
    var lastTerm = snapshot?.lastTerm ?? 0
    for entry in state.entries {
      guard entry.index == lastIndex + 1 else {
        throw .invalidRecord(
          path: path, table: "council_log",
          reason: "entry \(entry.index) follows \(lastIndex): the log has a gap")
      }
      guard entry.term >= lastTerm else {
        throw .invalidRecord(
          path: path, table: "council_log",
          reason: "entry \(entry.index) has term \(entry.term), below \(lastTerm)")
      }
      lastIndex = entry.index
      lastTerm = entry.term
    }
    guard lastTerm <= state.currentTerm else {
      throw .invalidRecord(
        path: path, table: "council_log",
        reason: "entry \(lastIndex) has term \(lastTerm), after the current term")
    }
    guard state.appliedIndex <= lastIndex else {
      throw .invalidRecord(
        path: path, table: "council_state",
        reason: "applied index \(state.appliedIndex) is beyond the log (\(lastIndex))")
    }
  }
}
