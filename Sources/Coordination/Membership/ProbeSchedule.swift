import Wire

/// SWIM's round-robin probe order: the probe list is shuffled at the start of each round and a
/// newcomer is inserted at a random place among the members not yet probed this round, so every
/// member is probed by each prober at least once every `2 * (n - 1)` periods.
///
/// The order holds 8-byte table references, not 32-byte peer IDs; a reference to a member that
/// has since been forgotten (its tombstone expired) is skipped like one that is dead.
struct ProbeSchedule: Sendable {
  private var order: [MemberTable.Reference] = []
  private var index = 0

  /// The next member to probe, or nil when there is nobody to probe.
  mutating func next(
    among members: MemberTable, using random: inout some RandomNumberGenerator
  ) -> PeerID? {
    for _ in 0..<2 {
      while index < order.count {
        let reference = order[index]
        index += 1
        if let peer = members.probeablePeer(reference) { return peer }
      }
      order = members.probeableReferences.shuffled(using: &random)
      index = 0
    }
    return nil
  }

  /// Schedules `reference` in the current round, keeping the list near the membership's size.
  mutating func insert(
    _ reference: MemberTable.Reference, among members: MemberTable,
    using random: inout some RandomNumberGenerator
  ) {
    order.insert(reference, at: Int.random(in: index...order.count, using: &random))
    if order.count > 2 * members.probeableCount + 16 {
      order = order[index...].filter { members.probeablePeer($0) != nil }
      index = 0
    }
  }
}
