import Wire

/// What happens to a `Membership` instance: time passing, a message arriving, or the node asking to
/// join or leave. Times are milliseconds of the node's monotonic clock.
public enum MembershipEvent: Hashable, Sendable {
  /// Time has passed. Drives the protocol period, probe timeouts and suspicion timeouts; the
  /// runtime should tick at least every `probeTimeoutMilliseconds / 2`.
  case tick(now: UInt64)
  /// A message from `from` has arrived.
  case received(from: PeerID, MembershipMessage, now: UInt64)
  /// Join the group through `bootstrap` (tried in turn, every `joinRetryMilliseconds`, until one
  /// answers). With no bootstrap peers the node starts a group of its own.
  case join(bootstrap: [PeerID], now: UInt64)
  /// Leave the group: the `left` rumour is sent to `leaveFanout` members and piggybacked on every
  /// acknowledgement the node still sends.
  case leave(now: UInt64)
}

/// What a `Membership` instance asks its runtime to do or tells its application.
public enum MembershipAction: Hashable, Sendable {
  /// Send `message` to `to`.
  case send(to: PeerID, MembershipMessage)
  /// A member became known, came back with a higher incarnation, or restarted with a new record.
  case memberJoined(MemberRecord)
  /// A member failed a probe (here or elsewhere) and is suspected.
  case memberSuspected(PeerID)
  /// A suspect was not refuted in time and is now considered dead.
  case memberDied(PeerID)
  /// A member announced that it left.
  case memberLeft(PeerID)
  /// A suspect refuted the suspicion with a higher incarnation.
  case memberRecovered(PeerID)
}
