import Coordination
import Wire

/// How one peer's access link behaves: its uplink (latency, bandwidth, loss, duplication) and the
/// bandwidth of its downlink.
public struct LinkProfile: Hashable, Sendable {
  public var latencyMinimumMilliseconds: UInt64
  public var latencyMaximumMilliseconds: UInt64
  /// Bytes per millisecond the sender's uplink pushes. The uplink sends one message at a time, in
  /// order (`LinkQueues`), so a model sent to 20 peers takes 20 times as long as one copy.
  public var bandwidthBytesPerMillisecond: UInt64
  /// Bytes per millisecond the peer's downlink takes in, one message at a time; nil when arrivals
  /// are not serialized (the uplink-only model). Matters where many send to one: the aggregator
  /// that receives its group's updates, the coordinator that receives the partials.
  public var downlinkBandwidthBytesPerMillisecond: UInt64?
  public var lossProbability: Double
  public var duplicationProbability: Double

  /// The defaults are a symmetric 100 Mbit/s link (12,500 bytes per millisecond each way).
  public init(
    latencyMinimumMilliseconds: UInt64 = 5, latencyMaximumMilliseconds: UInt64 = 50,
    bandwidthBytesPerMillisecond: UInt64 = 12_500,
    downlinkBandwidthBytesPerMillisecond: UInt64? = 12_500, lossProbability: Double = 0,
    duplicationProbability: Double = 0
  ) {
    precondition(latencyMinimumMilliseconds <= latencyMaximumMilliseconds, "latency range")
    precondition(bandwidthBytesPerMillisecond > 0, "bandwidth must be positive")
    precondition(downlinkBandwidthBytesPerMillisecond != 0, "downlink bandwidth must be positive")
    precondition(
      (0...1).contains(lossProbability) && (0...1).contains(duplicationProbability), "probabilities"
    )
    self.latencyMinimumMilliseconds = latencyMinimumMilliseconds
    self.latencyMaximumMilliseconds = latencyMaximumMilliseconds
    self.bandwidthBytesPerMillisecond = bandwidthBytesPerMillisecond
    self.downlinkBandwidthBytesPerMillisecond = downlinkBandwidthBytesPerMillisecond
    self.lossProbability = lossProbability
    self.duplicationProbability = duplicationProbability
  }
}

/// What the network does with one message: how many times the sender's uplink carries it and the
/// propagation latency of each copy that arrives.
public struct MessageFate: Hashable, Sendable {
  /// 0 when a partition blocks the link, 1 normally, 2 when the message is duplicated.
  public var transmissions: Int
  /// One entry per transmission that arrives: empty when the message is lost or blocked.
  public var latenciesMilliseconds: [UInt64]

  public init(transmissions: Int, latenciesMilliseconds: [UInt64]) {
    precondition(latenciesMilliseconds.count <= transmissions, "a copy arrives only if it is sent")
    self.transmissions = transmissions
    self.latenciesMilliseconds = latenciesMilliseconds
  }

  /// The message never leaves: a partition cuts the link.
  public static let blocked = MessageFate(transmissions: 0, latenciesMilliseconds: [])
}

/// The simulated network: per-peer link profiles, partitions (symmetric or one-way), and the
/// seeded draws that decide each message's fate. Reordering comes from independent latencies.
/// When each copy leaves and arrives is `LinkQueues`' business: it serializes the uplinks and
/// downlinks, which outlive a change of partitions.
public struct NetworkModel: Sendable {
  public var defaultProfile: LinkProfile
  /// A peer's own access link, overriding the default (a phone next to a server).
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

  /// The profile of `peer`'s access link.
  public func profile(of peer: PeerID) -> LinkProfile { profiles[peer] ?? defaultProfile }

  /// The seeded fate of one message from `from` to `to`.
  ///
  /// A message blocked by a partition is never transmitted: a real transport cannot get through
  /// a cut link and stops sending on it, so it does not hold up the sender's other messages. A
  /// lost message was transmitted (it occupies the uplink) and dropped on the way. A duplicated
  /// message is transmitted twice; each copy draws its own latency, which is what reorders.
  public func fate(from: PeerID, to: PeerID, using generator: inout SplitMixGenerator)
    -> MessageFate
  {
    if blocked.contains(Link(from: from, to: to)) { return .blocked }
    let profile = profile(of: from)
    if Double.random(in: 0..<1, using: &generator) < profile.lossProbability {
      return MessageFate(transmissions: 1, latenciesMilliseconds: [])
    }
    func latency() -> UInt64 {
      UInt64.random(
        in: profile.latencyMinimumMilliseconds...profile.latencyMaximumMilliseconds,
        using: &generator)
    }
    var latencies = [latency()]
    if Double.random(in: 0..<1, using: &generator) < profile.duplicationProbability {
      latencies.append(latency())
    }
    return MessageFate(transmissions: latencies.count, latenciesMilliseconds: latencies)
  }
}
