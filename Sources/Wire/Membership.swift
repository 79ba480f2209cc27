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
///
/// The fields live in one immutable, shared box: every member table in a process that holds the
/// same record (a simulation holds each peer's record once per peer that knows it, 10⁸ times at
/// 10,000 peers) stores an 8-byte reference instead of a 64-byte copy. Setting a field replaces
/// the box, so the type keeps value semantics.
public struct MemberRecord: Hashable, Sendable {
  private final class Storage: Sendable {
    let peer: PeerID
    let address: PeerAddress
    let capacity: Capacity
    let joinedAtMilliseconds: UInt64

    init(peer: PeerID, address: PeerAddress, capacity: Capacity, joinedAtMilliseconds: UInt64) {
      self.peer = peer
      self.address = address
      self.capacity = capacity
      self.joinedAtMilliseconds = joinedAtMilliseconds
    }
  }

  private var storage: Storage

  public init(peer: PeerID, address: PeerAddress, capacity: Capacity, joinedAtMilliseconds: UInt64)
  {
    storage = Storage(
      peer: peer, address: address, capacity: capacity, joinedAtMilliseconds: joinedAtMilliseconds)
  }

  public var peer: PeerID {
    get { storage.peer }
    set { self = MemberRecord(copying: self, peer: newValue) }
  }

  public var address: PeerAddress {
    get { storage.address }
    set { self = MemberRecord(copying: self, address: newValue) }
  }

  public var capacity: Capacity {
    get { storage.capacity }
    set { self = MemberRecord(copying: self, capacity: newValue) }
  }

  /// When the peer joined, in milliseconds of its own clock (uptime is measured against it).
  public var joinedAtMilliseconds: UInt64 {
    get { storage.joinedAtMilliseconds }
    set { self = MemberRecord(copying: self, joinedAtMilliseconds: newValue) }
  }

  private init(
    copying other: MemberRecord, peer: PeerID? = nil, address: PeerAddress? = nil,
    capacity: Capacity? = nil, joinedAtMilliseconds: UInt64? = nil
  ) {
    self.init(
      peer: peer ?? other.peer, address: address ?? other.address,
      capacity: capacity ?? other.capacity,
      joinedAtMilliseconds: joinedAtMilliseconds ?? other.joinedAtMilliseconds)
  }

  public static func == (lhs: MemberRecord, rhs: MemberRecord) -> Bool {
    lhs.storage === rhs.storage
      || (lhs.peer == rhs.peer && lhs.address == rhs.address && lhs.capacity == rhs.capacity
        && lhs.joinedAtMilliseconds == rhs.joinedAtMilliseconds)
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(peer)
    hasher.combine(address)
    hasher.combine(capacity)
    hasher.combine(joinedAtMilliseconds)
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
