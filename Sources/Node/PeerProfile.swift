import Coordination
import Wire

/// What a peer tells the others about itself when it joins, measured on its machine: how fast it
/// trains and uploads, how long it has been up, and whether it can be dialed. Role ranking uses
/// it, and only a peer that can be dialed may serve on the council.
public struct PeerProfile: Hashable, Sendable {
  public var capacity: Capacity
  /// How long the peer had been running when it sent the profile.
  public var uptimeMilliseconds: UInt64
  /// Whether the peer listens (others can dial it). A trainer behind a NAT does not, and serves
  /// only as a trainer.
  public var isReachable: Bool

  public init(capacity: Capacity, uptimeMilliseconds: UInt64, isReachable: Bool) {
    self.capacity = capacity
    self.uptimeMilliseconds = uptimeMilliseconds
    self.isReachable = isReachable
  }

  /// The capacity assumed for a peer that has not said (every simulated peer).
  public static let assumedCapacity = Capacity(
    samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000)
}

/// The peers a node knows, and what each said of itself: the project's peer list, which grows
/// as peers join and shrinks as they leave.
struct PeerDirectory: Sendable {
  /// Every known peer, this node included, in peer order.
  private(set) var peers: [PeerID]
  /// Each profile, with the time (on this node's clock) it arrived.
  private(set) var profiles: [PeerID: (profile: PeerProfile, receivedAt: UInt64)] = [:]

  init(peers: [PeerID]) { self.peers = Array(Set(peers)).sorted() }

  /// When each peer last started, on this node's clock (its announce's time less its uptime).
  private(set) var startedAt: [PeerID: UInt64] = [:]

  /// Adds `peer` (when new) and records its profile; returns whether the peer was new.
  @discardableResult
  mutating func join(_ peer: PeerID, profile: PeerProfile?, now: UInt64) -> Bool {
    if let profile {
      profiles[peer] = (profile, now)
      startedAt[peer] = Timestamps.subtracting(profile.uptimeMilliseconds, from: now)
    }
    let position = peers.partitioningIndex { $0 >= peer }
    guard position == peers.count || peers[position] != peer else { return false }
    peers.insert(peer, at: position)
    return true
  }

  /// Removes `peer`; returns whether it was known.
  @discardableResult
  mutating func leave(_ peer: PeerID) -> Bool {
    profiles[peer] = nil
    startedAt[peer] = nil
    let position = peers.partitioningIndex { $0 >= peer }
    guard position < peers.count, peers[position] == peer else { return false }
    peers.remove(at: position)
    return true
  }

  /// Peers that (re)started after `time`: a process that restarted lost what it held in memory
  /// for a round opened before (a training, a group's updates).
  func restarted(since time: UInt64) -> Set<PeerID> {
    Set(startedAt.lazy.filter { $0.value > time }.map(\.key))
  }

  func contains(_ peer: PeerID) -> Bool {
    let position = peers.partitioningIndex { $0 >= peer }
    return position < peers.count && peers[position] == peer
  }

  /// The peer's uptime now: what it reported plus the time since.
  func uptimeMilliseconds(of peer: PeerID, now: UInt64) -> UInt64? {
    profiles[peer].map {
      Timestamps.adding(
        Timestamps.elapsed(from: $0.receivedAt, to: now), to: $0.profile.uptimeMilliseconds)
    }
  }

  /// Whether `peer` can serve on the council: true unless it said it cannot be dialed.
  func isReachable(_ peer: PeerID) -> Bool { profiles[peer]?.profile.isReachable ?? true }
}

extension Array {
  /// The first index whose element satisfies `predicate`, for a predicate that is false then
  /// true along the array (a binary search).
  fileprivate func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
      let middle = (low + high) / 2
      if predicate(self[middle]) { high = middle } else { low = middle + 1 }
    }
    return low
  }
}
