import Wire

/// What the ranking knows of a member, all of it from committed or disseminated state.
public struct RoleCandidate: Hashable, Sendable {
  public var peer: PeerID
  public var capacity: Capacity
  public var uptimeMilliseconds: UInt64
  /// 0...1; starts at 1 and falls when a peer misbehaves or misses rounds.
  public var reputation: Float
  public init(peer: PeerID, capacity: Capacity, uptimeMilliseconds: UInt64, reputation: Float = 1) {
    self.peer = peer
    self.capacity = capacity
    self.uptimeMilliseconds = uptimeMilliseconds
    self.reputation = reputation
  }
}

/// Which peers become the coordinator and the aggregators: a deterministic function of state
/// every member holds, so any member can recompute and check it, and no peer can pick its role.
///
/// Each candidate gets a weight from its capacity, uptime and reputation, and roles go to a
/// weighted random sample without replacement (Efraimidis-Spirakis: key = u^(1/w), largest keys
/// win) where each u comes from hashing the candidate's ID with `seed`, the digest of the last
/// committed model. Stronger peers are more likely to serve, but the choice rotates with every
/// committed model and cannot be predicted before that model exists.
public enum RoleRanking {
  /// Uptime at which the uptime factor saturates (one hour).
  public static let uptimeSaturationMilliseconds: Double = 3_600_000

  /// A candidate's weight: log-scaled throughput and bandwidth, uptime (saturating), reputation.
  public static func weight(of candidate: RoleCandidate) -> Double {
    let speed = log2(1 + max(0, Double(candidate.capacity.samplesPerSecond)))
    let bandwidth = log2(1 + max(0, Double(candidate.capacity.bandwidthBytesPerSecond)) / 1_000_000)
    let uptime = min(1, Double(candidate.uptimeMilliseconds) / uptimeSaturationMilliseconds)
    let reputation = Double(min(max(candidate.reputation, 0), 1))
    return (1 + speed) * (1 + bandwidth) * (0.1 + 0.9 * uptime) * reputation
  }

  /// Candidates ordered from first choice to last. Candidates of weight 0 come last, by ID.
  /// - Complexity: O(n log n).
  public static func rank(_ candidates: [RoleCandidate], seed: Digest) -> [PeerID] {
    let keyed = candidates.map { candidate -> (key: Double, peer: PeerID) in
      let weight = weight(of: candidate)
      guard weight > 0 else { return (-.infinity, candidate.peer) }
      // log(u) / w orders exactly as u^(1/w) and avoids underflow.
      return (log(unitInterval(seed: seed, peer: candidate.peer)) / weight, candidate.peer)
    }
    return keyed.sorted { $0.key != $1.key ? $0.key > $1.key : $0.peer < $1.peer }.map(\.peer)
  }

  /// The roles for `epoch`: the first-ranked candidate coordinates, the next `aggregatorCount`
  /// aggregate. Returns nil when there are no candidates.
  public static func assign(
    _ candidates: [RoleCandidate], seed: Digest, epoch: UInt64, aggregatorCount: Int
  ) -> RoleAssignment? {
    let ranked = rank(candidates, seed: seed)
    guard let coordinator = ranked.first else { return nil }
    return RoleAssignment(
      epoch: epoch, coordinator: coordinator,
      aggregators: Array(ranked.dropFirst().prefix(aggregatorCount)))
  }

  /// A uniform number in (0, 1) from the seed and the peer.
  static func unitInterval(seed: Digest, peer: PeerID) -> Double {
    var z = seed.words.0 ^ peer.words.0 &* 0x9E37_79B9_7F4A_7C15
    for word in [
      seed.words.1 ^ peer.words.1, seed.words.2 ^ peer.words.2, seed.words.3 ^ peer.words.3,
    ] {
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z ^= word
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    }
    z ^= z >> 31
    return (Double(z >> 11) + 0.5) / 9_007_199_254_740_992.0
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
