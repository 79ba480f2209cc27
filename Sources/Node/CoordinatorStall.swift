import Wire

/// What a stalling coordinator sends in tests of the progress watch (the simulator's
/// `firstCoordinatorStalls`, `starling node --fault stall`): every `appendEntries` it sends as
/// leader stops before its first entry of the kind it withholds, so that entry and every later
/// one stay in its own log only and never commit. Its heartbeats still reach every follower
/// (an empty append from the term's leader holds off their elections), so Raft alone never
/// replaces it.
public enum CoordinatorStall {
  /// What the stalling coordinator withholds.
  public enum Target: String, Sendable, CaseIterable {
    /// Every `startRound`: no round ever opens.
    case opening
    /// Every `commitRound`: its rounds open, trainers train and aggregators send their
    /// partials, but no round commits.
    case commit
  }

  /// `message` as the stalling coordinator sends it, and whether it withheld an entry.
  public static func stalled(_ message: Message, target: Target) -> (
    message: Message, withheld: Bool
  ) {
    guard
      case .council(
        .appendEntries(
          let term, let leader, let previousIndex, let previousTerm, let entries, let leaderCommit)) =
        message,
      let cut = entries.firstIndex(where: { withholds($0.command, target) })
    else { return (message, false) }
    let kept = Array(entries[..<cut])
    let lastKept = kept.last?.index ?? previousIndex
    return (
      .council(
        .appendEntries(
          term: term, leader: leader, previousLogIndex: previousIndex,
          previousLogTerm: previousTerm, entries: kept,
          leaderCommit: min(leaderCommit, lastKept))),
      true
    )
  }

  static func withholds(_ command: CouncilCommand, _ target: Target) -> Bool {
    switch (command, target) {
    case (.startRound, .opening), (.commitRound, .commit): true
    default: false
    }
  }
}
