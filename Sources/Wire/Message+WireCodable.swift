extension Message: WireCodable {
  /// A tag and the smallest membership message.
  public static let encodedBytesMin =
    1
    + min(
      MembershipMessage.encodedBytesMin, CouncilMessage.encodedBytesMin,
      RoundMessage.encodedBytesMin)

  private enum Tag: UInt8 {
    case membership = 0
    case council = 1
    case round = 2
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .membership(let message):
      encoder.encode(Tag.membership.rawValue)
      encoder.encode(message)
    case .council(let message):
      encoder.encode(Tag.council.rawValue)
      encoder.encode(message)
    case .round(let message):
      encoder.encode(Tag.round.rawValue)
      encoder.encode(message)
    }
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .membership: self = .membership(try decoder.decode(MembershipMessage.self))
    case .council: self = .council(try decoder.decode(CouncilMessage.self))
    case .round: self = .round(try decoder.decode(RoundMessage.self))
    case nil: throw .unknownTag(type: "Message", tag: tag)
    }
  }
}

extension Envelope: WireCodable {
  /// Sender, receiver, the smallest message.
  public static let encodedBytesMin = 2 * PeerID.encodedBytesMin + Message.encodedBytesMin

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(sender)
    encoder.encode(receiver)
    encoder.encode(message)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      sender: try decoder.decode(PeerID.self), receiver: try decoder.decode(PeerID.self),
      message: try decoder.decode(Message.self))
  }
}
