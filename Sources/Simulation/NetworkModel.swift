import Coordination
import Wire

/// How one direction of a link behaves.
public struct LinkProfile: Hashable, Sendable {
  public var latencyMinimumMilliseconds: UInt64
  public var latencyMaximumMilliseconds: UInt64
  /// Bytes per millisecond the sender can push (a large model takes time on a slow link).
  public var bandwidthBytesPerMillisecond: UInt64
  public var lossProbability: Double
  public var duplicationProbability: Double

  public init(
    latencyMinimumMilliseconds: UInt64 = 5, latencyMaximumMilliseconds: UInt64 = 50,
    bandwidthBytesPerMillisecond: UInt64 = 12_500, lossProbability: Double = 0,
    duplicationProbability: Double = 0
  ) {
    precondition(latencyMinimumMilliseconds <= latencyMaximumMilliseconds, "latency range")
    precondition(bandwidthBytesPerMillisecond > 0, "bandwidth must be positive")
    precondition(
      (0...1).contains(lossProbability) && (0...1).contains(duplicationProbability), "probabilities"
    )
    self.latencyMinimumMilliseconds = latencyMinimumMilliseconds
    self.latencyMaximumMilliseconds = latencyMaximumMilliseconds
    self.bandwidthBytesPerMillisecond = bandwidthBytesPerMillisecond
    self.lossProbability = lossProbability
    self.duplicationProbability = duplicationProbability
  }
}

/// The simulated network: per-peer link profiles, partitions (symmetric or one-way), and the
/// seeded draws that decide each message's fate. Reordering comes from independent latencies.
public struct NetworkModel: Sendable {
  public var defaultProfile: LinkProfile
  /// A peer's own uplink, overriding the default (a phone next to a server).
  public var profiles: [PeerID: LinkProfile] = [:]
  private var blocked: Set<Link> = []

  struct Link: Hashable, Sendable {
    var from: PeerID
    var to: PeerID
  }

  public init(defaultProfile: LinkProfile = LinkProfile()) { self.defaultProfile = defaultProfile }

  /// Messages from `from` to `to` are dropped (a one-way partition).
  public mutating func block(from: PeerID, to: PeerID) { blocked.insert(Link(from: from, to: to)) }

  /// Cuts every link between the two sides, both ways.
  public mutating func partition(_ side: Set<PeerID>, from other: Set<PeerID>) {
    for first in side {
      for second in other {
        block(from: first, to: second)
        block(from: second, to: first)
      }
    }
  }

  /// Removes every partition.
  public mutating func heal() { blocked = [] }

  public var hasPartitions: Bool { !blocked.isEmpty }

  /// The same latencies and bandwidths with no loss, duplication or partition (liveness phase).
  public var withoutFaults: NetworkModel {
    var calm = self
    calm.blocked = []
    calm.defaultProfile.lossProbability = 0
    calm.defaultProfile.duplicationProbability = 0
    for peer in calm.profiles.keys {
      calm.profiles[peer]!.lossProbability = 0
      calm.profiles[peer]!.duplicationProbability = 0
    }
    return calm
  }

  /// The delivery delays of one message of `bytes` bytes: empty when it is lost, two entries
  /// when it is duplicated.
  public func deliveryDelays(
    from: PeerID, to: PeerID, bytes: Int, using generator: inout SplitMixGenerator
  ) -> [UInt64] {
    if blocked.contains(Link(from: from, to: to)) { return [] }
    let profile = profiles[from] ?? defaultProfile
    if Double.random(in: 0..<1, using: &generator) < profile.lossProbability { return [] }
    let transmission = UInt64(bytes) / profile.bandwidthBytesPerMillisecond
    func delay() -> UInt64 {
      transmission
        + UInt64.random(
          in: profile.latencyMinimumMilliseconds...profile.latencyMaximumMilliseconds,
          using: &generator)
    }
    var delays = [delay()]
    if Double.random(in: 0..<1, using: &generator) < profile.duplicationProbability {
      delays.append(delay())
    }
    return delays
  }
}

extension Message {
  /// Approximate encoded size in bytes, for bandwidth: float payloads dominate.
  public var estimatedBytes: Int {
    switch self {
    case .round(.update(_, _, let values)), .round(.model(_, _, let values)):
      return 64 + 4 * values.count
    case .round(.partial(_, _, let trainers, let values)):
      return 64 + 4 * values.count + 32 * trainers.count
    case .round(.aggregate(let start)):
      return 64 + 64 * start.assignments.count
    case .council(.appendEntries(_, _, _, _, let entries, _)):
      return 96 + entries.count * 128
    case .membership(.ping(_, let gossip)), .membership(.ack(_, _, let gossip)),
      .membership(.pingRequest(_, _, let gossip)):
      return 48 + gossip.count * 96
    case .membership(.joinAccepted(let members)):
      return 16 + members.count * 96
    default:
      return 96
    }
  }
}
