import Coordination
import Wire

/// What a council member waits for its leader to do next (`replacesStalledCoordinator`).
struct ProgressWatch: Sendable {
  enum Waiting: Equatable, Sendable {
    /// A round to open (a `startRound` past the last committed round).
    case opening
    /// The opened round (or a later one) to commit.
    case commit(round: UInt64)
  }
  var leader: PeerID
  var term: UInt64
  var waiting: Waiting
  var since: UInt64
}

/// A coordinator that stalls: it keeps its leadership (its heartbeats hold every follower's
/// election timer off) but opens no round, or never commits the one it opened. Raft alone never
/// replaces it, and a Byzantine coordinator can stop the whole project so. Each council member
/// watches the log as it applies it: once the leader of a term has had
/// `openingTimeoutMilliseconds` to open a round (from the last commit, or from when the member
/// first followed it in that term) or `commitTimeoutMilliseconds` to commit an opened one, the
/// member logs what it waited for and deposes it (`CouncilEvent.depose`: it ignores its appends
/// and votes, and asks for an election). Every honest member's watch runs from the same log, so
/// they depose it together and elect another.
///
/// A stall proves nothing (an honest coordinator cut off from its trainers' models stalls too),
/// so it leads to no ban, and the deposition lasts until `rotateEvery` more rounds commit under
/// other coordinators; meanwhile this node, as coordinator, lists it absent.
extension NodeController {
  mutating func watchProgress() -> [NodeEffect] {
    guard settings.replacesStalledCoordinator, settings.mode == .fdfl, isCouncilMember,
      let council, let leader = council.leader, leader != me
    else {
      progressWatch = nil
      return []
    }
    guard var watch = progressWatch, watch.leader == leader, watch.term == council.term else {
      progressWatch = ProgressWatch(
        leader: leader, term: council.term, waiting: expectedProgress, since: now)
      return []
    }
    // A project that has ended, or spent its privacy budget, opens no more rounds.
    if watch.waiting == .opening,
      appliedRounds.committed >= settings.roundsMax ?? .max || isPastPrivacyBudget
    {
      watch.since = now
      progressWatch = watch
      return []
    }
    let bound =
      watch.waiting == .opening
      ? settings.openingTimeoutMilliseconds : settings.commitTimeoutMilliseconds
    let waited = Timestamps.elapsed(from: watch.since, to: now)
    guard waited >= bound else { return [] }
    watch.since = now
    progressWatch = watch
    let what =
      switch watch.waiting {
      case .opening: "opened no round after round \(appliedRounds.committed)"
      case .commit(let round): "did not commit round \(round)"
      }
    stalledCoordinators[leader] = appliedRounds.committed
    return [
      .coordinatorStalled(
        leader, evidence: "\(what) in \(waited) ms as leader of term \(watch.term)")
    ] + councilStep(.depose(leader))
  }

  /// What the leader must do next, from the log as applied here.
  var expectedProgress: ProgressWatch.Waiting {
    appliedRounds.started > appliedRounds.committed
      ? .commit(round: appliedRounds.started) : .opening
  }

  /// A `startRound` or `commitRound` applied here: the watch moves on, and a leader deposed for
  /// stalling is pardoned once `rotateEvery` rounds have committed since.
  mutating func noteProgress(started: UInt64? = nil, committed: UInt64? = nil) -> [NodeEffect] {
    if let started, started > appliedRounds.started { appliedRounds.started = started }
    guard let committed, committed > appliedRounds.committed else {
      if started != nil, var watch = progressWatch, watch.waiting == .opening,
        appliedRounds.started > appliedRounds.committed
      {
        watch.waiting = .commit(round: appliedRounds.started)
        watch.since = now
        progressWatch = watch
      }
      return []
    }
    appliedRounds.committed = committed
    appliedRounds.started = max(appliedRounds.started, committed)
    if var watch = progressWatch {
      watch.waiting = expectedProgress
      watch.since = now
      progressWatch = watch
    }
    var effects: [NodeEffect] = []
    for (peer, round) in stalledCoordinators.sorted(by: { $0.key < $1.key })
    where committed >= round + UInt64(max(settings.rotateEvery, 1)) {
      stalledCoordinators[peer] = nil
      // A coordinator also caught forging stays deposed.
      if suspectedCoordinators[peer] == nil { effects += councilStep(.pardon(peer)) }
    }
    return effects
  }
}
