/// What a peer declares about itself when it joins (measured on the machine).
public struct Capacity: Hashable, Sendable {
  /// Training samples per second on the project's model.
  public var samplesPerSecond: Float
  /// Upload bandwidth, bytes per second.
  public var bandwidthBytesPerSecond: Float
  public init(samplesPerSecond: Float, bandwidthBytesPerSecond: Float) {
    self.samplesPerSecond = samplesPerSecond
    self.bandwidthBytesPerSecond = bandwidthBytesPerSecond
  }
}

/// A member as others know it.
public struct MemberRecord: Hashable, Sendable {
  public var peer: PeerID
  public var address: PeerAddress
  public var capacity: Capacity
  /// When the peer joined, in milliseconds of its own clock (uptime is measured against it).
  public var joinedAtMilliseconds: UInt64
  public init(peer: PeerID, address: PeerAddress, capacity: Capacity, joinedAtMilliseconds: UInt64)
  {
    self.peer = peer
    self.address = address
    self.capacity = capacity
    self.joinedAtMilliseconds = joinedAtMilliseconds
  }
}

/// SWIM member states, ordered by precedence at equal incarnation.
public enum MemberStatus: UInt8, Hashable, Sendable, CaseIterable {
  case alive = 0
  case suspect = 1
  case dead = 2
  case left = 3
}

/// One piggybacked membership rumour.
public struct MemberUpdate: Hashable, Sendable {
  public var peer: PeerID
  public var status: MemberStatus
  public var incarnation: UInt64
  /// The full record, carried for `alive` updates so that a new member can be contacted.
  public var record: MemberRecord?
  public init(peer: PeerID, status: MemberStatus, incarnation: UInt64, record: MemberRecord? = nil)
  {
    self.peer = peer
    self.status = status
    self.incarnation = incarnation
    self.record = record
  }
}

/// SWIM failure detection and dissemination.
public enum MembershipMessage: Hashable, Sendable {
  /// Direct probe; `gossip` piggybacks rumours.
  case ping(sequence: UInt64, gossip: [MemberUpdate])
  /// Answer to a ping, direct or relayed (`target` is who was probed).
  case ack(sequence: UInt64, target: PeerID, gossip: [MemberUpdate])
  /// Ask the receiver to probe `target` on the sender's behalf.
  case pingRequest(sequence: UInt64, target: PeerID, gossip: [MemberUpdate])
  /// A new peer introduces itself to a bootstrap peer.
  case join(MemberRecord)
  /// The bootstrap peer's answer: a bounded sample of the membership.
  case joinAccepted(members: [MemberRecord])
}

/// Bounds on membership messages.
public enum MembershipLimits {
  /// Rumours piggybacked on one message.
  public static let gossipPerMessageMax = 32
  /// Members sent to a joining peer.
  public static let joinSampleMax = 256
}
