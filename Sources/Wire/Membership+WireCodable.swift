extension Capacity: WireCodable {
  /// Two `Float` bit patterns.
  public static let encodedBytesMin = 8

  /// - Precondition: both rates are finite and not negative (what decoding accepts).
  public func encode(to encoder: inout WireEncoder) {
    precondition(Self.isValidRate(samplesPerSecond), "Capacity.samplesPerSecond is invalid")
    precondition(
      Self.isValidRate(bandwidthBytesPerSecond), "Capacity.bandwidthBytesPerSecond is invalid")
    encoder.encode(samplesPerSecond)
    encoder.encode(bandwidthBytesPerSecond)
  }

  /// Throws `invalidValue` for a rate that is NaN, infinite or negative: capacities feed the
  /// role ranking, and one NaN would make the ranking disagree between peers.
  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      samplesPerSecond: try Self.decodeRate(&decoder, field: "Capacity.samplesPerSecond"),
      bandwidthBytesPerSecond: try Self.decodeRate(
        &decoder, field: "Capacity.bandwidthBytesPerSecond"))
  }

  private static func isValidRate(_ rate: Float) -> Bool { rate.isFinite && rate >= 0 }

  private static func decodeRate(
    _ decoder: inout WireDecoder, field: String
  ) throws(WireError) -> Float {
    let rate = try decoder.decode(Float.self)
    guard isValidRate(rate) else {
      throw .invalidValue(field: field, reason: "\(rate) is not a finite, non-negative rate")
    }
    return rate
  }
}

extension MemberRecord: WireCodable {
  /// Peer, empty address, capacity, join time.
  public static let encodedBytesMin =
    PeerID.encodedBytesMin + PeerAddress.encodedBytesMin + Capacity.encodedBytesMin + 8

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(peer)
    encoder.encode(address)
    encoder.encode(capacity)
    encoder.encode(joinedAtMilliseconds)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      peer: try decoder.decode(PeerID.self), address: try decoder.decode(PeerAddress.self),
      capacity: try decoder.decode(Capacity.self),
      joinedAtMilliseconds: try decoder.decode(UInt64.self))
  }
}

extension MemberStatus: WireCodable {
  /// The raw value as one byte.
  public static let encodedBytesMin = 1

  public func encode(to encoder: inout WireEncoder) { encoder.encode(rawValue) }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let rawValue = try decoder.decode(UInt8.self)
    guard let status = MemberStatus(rawValue: rawValue) else {
      throw .invalidValue(field: "MemberStatus", reason: "raw value \(rawValue) is out of range")
    }
    self = status
  }
}

extension MemberUpdate: WireCodable {
  /// Peer, status, incarnation, absent record.
  public static let encodedBytesMin = PeerID.encodedBytesMin + 1 + 8 + 1

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(peer)
    encoder.encode(status)
    encoder.encode(incarnation)
    encoder.encode(optional: record)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      peer: try decoder.decode(PeerID.self), status: try decoder.decode(MemberStatus.self),
      incarnation: try decoder.decode(UInt64.self),
      record: try decoder.decode(optional: MemberRecord.self, field: "MemberUpdate.record"))
  }
}

extension MembershipMessage: WireCodable {
  /// The smallest case: `joinAccepted` with no members.
  public static let encodedBytesMin = 1 + 4

  private enum Tag: UInt8 {
    case ping = 0
    case ack = 1
    case pingRequest = 2
    case join = 3
    case joinAccepted = 4
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .ping(let sequence, let gossip):
      encoder.encode(Tag.ping.rawValue)
      encoder.encode(sequence)
      Self.encode(gossip, to: &encoder)
    case .ack(let sequence, let target, let gossip):
      encoder.encode(Tag.ack.rawValue)
      encoder.encode(sequence)
      encoder.encode(target)
      Self.encode(gossip, to: &encoder)
    case .pingRequest(let sequence, let target, let gossip):
      encoder.encode(Tag.pingRequest.rawValue)
      encoder.encode(sequence)
      encoder.encode(target)
      Self.encode(gossip, to: &encoder)
    case .join(let record):
      encoder.encode(Tag.join.rawValue)
      encoder.encode(record)
    case .joinAccepted(let members):
      encoder.encode(Tag.joinAccepted.rawValue)
      encoder.encode(
        members, field: "MembershipMessage.joinAccepted.members",
        countMax: MembershipLimits.joinSampleMax)
    }
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .ping:
      self = .ping(
        sequence: try decoder.decode(UInt64.self), gossip: try Self.decodeGossip(&decoder))
    case .ack:
      self = .ack(
        sequence: try decoder.decode(UInt64.self), target: try decoder.decode(PeerID.self),
        gossip: try Self.decodeGossip(&decoder))
    case .pingRequest:
      self = .pingRequest(
        sequence: try decoder.decode(UInt64.self), target: try decoder.decode(PeerID.self),
        gossip: try Self.decodeGossip(&decoder))
    case .join:
      self = .join(try decoder.decode(MemberRecord.self))
    case .joinAccepted:
      self = .joinAccepted(
        members: try decoder.decode(
          [MemberRecord].self, field: "MembershipMessage.joinAccepted.members",
          countMax: MembershipLimits.joinSampleMax))
    case nil:
      throw .unknownTag(type: "MembershipMessage", tag: tag)
    }
  }

  private static func encode(_ gossip: [MemberUpdate], to encoder: inout WireEncoder) {
    encoder.encode(
      gossip, field: "MembershipMessage.gossip", countMax: MembershipLimits.gossipPerMessageMax)
  }

  private static func decodeGossip(
    _ decoder: inout WireDecoder
  ) throws(WireError) -> [MemberUpdate] {
    try decoder.decode(
      [MemberUpdate].self, field: "MembershipMessage.gossip",
      countMax: MembershipLimits.gossipPerMessageMax)
  }
}
