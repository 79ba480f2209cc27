import Wire

/// What a council member keeps across a crash: the Raft persistent state, plus the index the
/// application has applied.
///
/// The commit index is not written by the council: it can always be relearned from a leader.
/// `appliedIndex` is the application's own record of the last entry it executed from a `.commit`
/// action (stored atomically with the effects of that entry); a restarted member treats it as
/// committed and resumes `.commit` actions after it. Zero delivers every entry again.
public struct CouncilDurableState: Hashable, Sendable {
  public var currentTerm: UInt64
  public var votedFor: PeerID?
  /// Contiguous from index 1.
  public var entries: [LogEntry]
  public var appliedIndex: UInt64

  public init(
    currentTerm: UInt64 = 0, votedFor: PeerID? = nil, entries: [LogEntry] = [],
    appliedIndex: UInt64 = 0
  ) {
    self.currentTerm = currentTerm
    self.votedFor = votedFor
    self.entries = entries
    self.appliedIndex = appliedIndex
  }

  /// Applies one write, as storage must.
  /// - Complexity: O(n) in the number of entries removed and added.
  public mutating func apply(_ write: CouncilWrite) {
    currentTerm = write.term
    votedFor = write.votedFor
    guard let first = write.entries.first else { return }
    precondition(
      first.index >= 1 && first.index <= UInt64(entries.count) + 1, "write leaves a gap in the log")
    entries.removeSubrange(Int(first.index - 1)...)
    entries.append(contentsOf: write.entries)
  }

  /// Checks what a store returned before a member restarts from it.
  public func validate() throws(CouncilDurableStateError) {
    for (position, entry) in entries.enumerated() {
      guard entry.index == UInt64(position) + 1 else {
        throw .entriesNotContiguous(index: entry.index)
      }
      guard entry.term <= currentTerm, position == 0 || entries[position - 1].term <= entry.term
      else { throw .entryTermOutOfOrder(index: entry.index) }
    }
    guard appliedIndex <= UInt64(entries.count) else { throw .appliedIndexBeyondLog }
  }
}

/// A stored council state that cannot be restarted from.
public enum CouncilDurableStateError: Error, Hashable, Sendable {
  case entriesNotContiguous(index: UInt64)
  case entryTermOutOfOrder(index: UInt64)
  case appliedIndexBeyondLog
}
