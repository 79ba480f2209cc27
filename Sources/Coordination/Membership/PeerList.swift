import Wire

/// The members that can be probed or asked for help (alive and suspect, never this node), in an
/// order that depends only on the events seen, so that random choices over it replay from a seed.
struct PeerList: Sendable {
  private(set) var peers: [PeerID] = []
  private var positions: [PeerID: Int] = [:]

  var count: Int { peers.count }

  func contains(_ peer: PeerID) -> Bool { positions[peer] != nil }

  mutating func insert(_ peer: PeerID) {
    guard positions[peer] == nil else { return }
    positions[peer] = peers.count
    peers.append(peer)
  }

  /// Removes `peer` by moving the last peer into its place.
  mutating func remove(_ peer: PeerID) {
    guard let position = positions.removeValue(forKey: peer) else { return }
    let last = peers.removeLast()
    if position < peers.count {
      peers[position] = last
      positions[last] = position
    }
  }

  /// Up to `count` distinct peers other than `excluded`, chosen uniformly.
  ///
  /// - Complexity: O(`count`) expected when `count` is small against the list, O(n) otherwise.
  func sample(
    _ count: Int, excluding excluded: PeerID? = nil, using random: inout some RandomNumberGenerator
  ) -> [PeerID] {
    let eligible = peers.count - (excluded.map { contains($0) ? 1 : 0 } ?? 0)
    guard count > 0, eligible > 0 else { return [] }
    if count * 2 >= eligible {
      let candidates = peers.filter { $0 != excluded }.shuffled(using: &random)
      return Array(candidates.prefix(count))
    }
    var chosen: [PeerID] = []
    var seen: Set<Int> = []
    while chosen.count < count {
      let index = Int.random(in: 0..<peers.count, using: &random)
      guard peers[index] != excluded, seen.insert(index).inserted else { continue }
      chosen.append(peers[index])
    }
    return chosen
  }
}

/// SWIM's round-robin probe order: the probe list is shuffled at the start of each round and a
/// newcomer is inserted at a random place among the members not yet probed this round, so every
/// member is probed by each prober at least once every `2 * (n - 1)` periods.
struct ProbeSchedule: Sendable {
  private var order: [PeerID] = []
  private var index = 0

  /// The next member to probe, or nil when there is nobody to probe.
  mutating func next(
    among members: PeerList, using random: inout some RandomNumberGenerator
  ) -> PeerID? {
    for _ in 0..<2 {
      while index < order.count {
        let peer = order[index]
        index += 1
        if members.contains(peer) { return peer }
      }
      order = members.peers.shuffled(using: &random)
      index = 0
    }
    return nil
  }

  /// Schedules `peer` in the current round, keeping the list near the membership's size.
  mutating func insert(
    _ peer: PeerID, among members: PeerList, using random: inout some RandomNumberGenerator
  ) {
    order.insert(peer, at: Int.random(in: index...order.count, using: &random))
    if order.count > 2 * members.count + 16 {
      order = order[index...].filter { members.contains($0) }
      index = 0
    }
  }
}
