import Wire

/// The timing and fan-out of the membership protocol. Defaults follow SWIM as deployed at scale
/// (HashiCorp memberlist's LAN profile), with integer logarithms so that the core needs no
/// floating point.
public struct MembershipConfiguration: Hashable, Sendable {
  /// One probe per period.
  public var protocolPeriodMilliseconds: UInt64 = 1_000
  /// Wait this long for a direct ack before asking `indirectProbes` members to probe.
  public var probeTimeoutMilliseconds: UInt64 = 400
  /// Members asked to probe on our behalf when the direct probe times out (SWIM's k).
  public var indirectProbes = 3
  /// Suspicion timeout = `suspicionMultiplier * ceil(log2(n + 1))` protocol periods.
  public var suspicionMultiplier = 2
  /// Each rumour is piggybacked `retransmitMultiplier * ceil(log2(n + 1))` times, then dropped.
  public var retransmitMultiplier = 2
  /// Rumours piggybacked on one message, at most `MembershipLimits.gossipPerMessageMax`.
  public var gossipPerMessageMax = MembershipLimits.gossipPerMessageMax
  /// A joining node tries the next bootstrap peer after this long without an answer.
  public var joinRetryMilliseconds: UInt64 = 2_000
  /// Members told directly when this node leaves.
  public var leaveFanout = 3
  /// Indirect probes run on behalf of others at once; further requests are dropped.
  public var relaysPendingMax = 64
  /// Members (alive, suspect and remembered dead) held at once; newcomers beyond are ignored.
  public var membersMax = 16_384
  /// Dead and left members are remembered this long, so that stale rumours cannot revive them.
  public var tombstoneRetentionMilliseconds: UInt64 = 120_000

  public init() {}

  /// Checks the relations between the fields; a violation is a programming error.
  func validate() {
    precondition(protocolPeriodMilliseconds > 0, "protocol period must be positive")
    precondition(
      probeTimeoutMilliseconds > 0 && probeTimeoutMilliseconds < protocolPeriodMilliseconds,
      "probe timeout must fall inside the protocol period")
    precondition(indirectProbes >= 0 && leaveFanout >= 0, "fan-outs must not be negative")
    precondition(suspicionMultiplier >= 1 && retransmitMultiplier >= 1, "multipliers must be >= 1")
    precondition(
      (1...MembershipLimits.gossipPerMessageMax).contains(gossipPerMessageMax),
      "gossip per message must be in 1...\(MembershipLimits.gossipPerMessageMax)")
    precondition(relaysPendingMax >= 0 && membersMax >= 1, "bounds must be positive")
  }

  /// How many times a rumour is piggybacked in a group of `memberCount`.
  public func retransmissionsMax(memberCount: Int) -> Int {
    retransmitMultiplier * max(1, ceilingLog2(memberCount + 1))
  }

  /// How long a suspect has to refute before it is declared dead, in a group of `memberCount`.
  public func suspicionTimeoutMilliseconds(memberCount: Int) -> UInt64 {
    UInt64(suspicionMultiplier * max(1, ceilingLog2(memberCount + 1))) * protocolPeriodMilliseconds
  }
}

/// `ceil(log2(value))` for `value >= 1`.
func ceilingLog2(_ value: Int) -> Int {
  precondition(value >= 1, "logarithm of a non-positive number")
  return value == 1 ? 0 : Int.bitWidth - (value - 1).leadingZeroBitCount
}
