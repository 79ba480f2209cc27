import Coordination
import Wire

/// What a node knows of other peers' liveness: when it last heard from each, which ones sit out
/// of the trainer samples for a while, and SWIM's view when the project runs membership.
struct PeerLiveness: Sendable {
  let me: PeerID
  /// How long a peer set aside stays out of the trainer samples.
  let setAsideMilliseconds: UInt64
  /// When each peer was last heard from (or given a fresh silence period).
  var lastHeard: [PeerID: UInt64] = [:]
  /// Peers set aside until the time given: removed from the council for silence, or sampled as
  /// trainers without contributing to the round. They are not sampled until heard from again or
  /// until the time passes (without failure detection a restarted peer may never speak to the
  /// coordinator, so it gets another chance), unless every other candidate is set aside too.
  var setAsideUntil: [PeerID: UInt64] = [:]
  /// SWIM failure detection (when the project's settings ask for it).
  var membership: Membership?
  /// Whether this node has asked to join the SWIM group.
  var isJoining = false

  /// A message from `peer` arrived: it is live, and no longer set aside.
  mutating func heard(from peer: PeerID, now: UInt64) {
    lastHeard[peer] = now
    setAsideUntil[peer] = nil
  }

  /// How long `peer` has been silent.
  func silenceMilliseconds(of peer: PeerID, now: UInt64) -> UInt64 {
    Timestamps.elapsed(from: lastHeard[peer] ?? 0, to: now)
  }

  /// Gives `peer` a full silence period from `now` (never shortens one).
  mutating func refresh(_ peer: PeerID, now: UInt64) {
    lastHeard[peer] = max(lastHeard[peer] ?? 0, now)
  }

  /// Leaves `peer` out of the trainer samples for `setAsideMilliseconds`.
  mutating func setAside(_ peer: PeerID, now: UInt64) {
    guard peer != me else { return }
    setAsideUntil[peer] = Timestamps.adding(setAsideMilliseconds, to: now)
  }

  func isSetAside(_ peer: PeerID, now: UInt64) -> Bool {
    setAsideUntil[peer].map { now < $0 } ?? false
  }

  /// Peers SWIM holds as suspect, dead or gone (empty without membership).
  func peersKnownDown() -> Set<PeerID> {
    guard let membership, membership.isMember else { return [] }
    return membership.membersNotAlive
  }

  /// Peers SWIM has declared dead or gone (suspects excluded; empty without membership).
  func peersDeclaredDown() -> Set<PeerID> {
    guard let membership, membership.isMember else { return [] }
    return membership.membersDeadOrLeft
  }

  /// Whether `peer` may be up: false only when SWIM knows it as suspect, dead or gone. A peer
  /// SWIM has no record of is not excluded. A node that rejoins after a restart hears only a
  /// sample of the group, plus the rumours still in flight, so "unknown" does not mean "down".
  func isBelievedAlive(_ peer: PeerID) -> Bool {
    guard let membership, membership.isMember, let member = membership.member(peer) else {
      return true
    }
    return member.status == .alive
  }
}
