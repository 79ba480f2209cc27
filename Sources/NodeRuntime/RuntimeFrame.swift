import Node
import Wire

/// What one transport message carries between two `starling node` processes: a protocol
/// message for the controller, or the runtime's own traffic (who is where, status, goodbye).
///
/// Encoding: one tag byte, then the payload in the `Wire` codec (docs/protocol.md, "Node
/// messages").
public enum RuntimeFrame: Hashable, Sendable {
  /// A protocol message (`Message`), for the receiver's controller.
  case protocolMessage(Message)
  /// The sender's profile and, when it listens, its contact: sent first on every connection.
  case announce(Announcement)
  /// Peers the sender knows how to dial: a newcomer learns the council from the first peer it
  /// reaches.
  case directory([DirectoryEntry])
  /// Asks for the receiver's status (`starling status`); `request` comes back in the reply.
  case statusRequest(request: UInt64)
  /// The receiver's status as one JSON object (UTF-8), the fields `starling status --json`
  /// prints.
  case statusReply(request: UInt64, json: String)
  /// The sender stops cleanly: it is no longer sampled.
  case leaving
  /// A bandwidth probe: `paddingBytes` of zeros the receiver ignores (the upload leg), and a
  /// request for a reply carrying `replyBytes` of zeros (the download leg).
  case probe(request: UInt64, replyBytes: Int, paddingBytes: Int)
  /// The answer to `probe(request:…)`, with the `paddingBytes` it asked for.
  case probeReply(request: UInt64, paddingBytes: Int)

  /// The longest status reply and announcement contact, in bytes.
  public static let statusJSONBytesMax = 1 << 20
  public static let contactBytesMax = 400
  public static let directoryEntriesMax = 4_096
  /// The most padding a probe or its reply carries (and may ask for), in bytes; a multiple of 4.
  public static let probeBytesMax = 4 << 20
}

/// A peer's announcement of itself.
public struct Announcement: Hashable, Sendable {
  /// `KEY@host:port`; nil when the peer does not listen.
  public var contact: String?
  public var profile: PeerProfile

  public init(contact: String?, profile: PeerProfile) {
    self.contact = contact
    self.profile = profile
  }
}

/// One peer and how to dial it.
public struct DirectoryEntry: Hashable, Sendable {
  public var peer: PeerID
  public var contact: String

  public init(peer: PeerID, contact: String) {
    self.peer = peer
    self.contact = contact
  }
}

extension RuntimeFrame: WireCodable {
  public static let encodedBytesMin = 1

  enum Tag: UInt8 {
    case protocolMessage = 0
    case announce = 1
    case directory = 2
    case statusRequest = 3
    case statusReply = 4
    case leaving = 5
    case probe = 6
    case probeReply = 7
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .protocolMessage(let message):
      encoder.encode(Tag.protocolMessage.rawValue)
      encoder.encode(message)
    case .announce(let announcement):
      encoder.encode(Tag.announce.rawValue)
      encoder.encode(announcement)
    case .directory(let entries):
      encoder.encode(Tag.directory.rawValue)
      encoder.encode(entries, field: "directory", countMax: Self.directoryEntriesMax)
    case .statusRequest(let request):
      encoder.encode(Tag.statusRequest.rawValue)
      encoder.encode(request)
    case .statusReply(let request, let json):
      encoder.encode(Tag.statusReply.rawValue)
      encoder.encode(request)
      encoder.encode(json, field: "status", bytesMax: Self.statusJSONBytesMax)
    case .leaving:
      encoder.encode(Tag.leaving.rawValue)
    case .probe(let request, let replyBytes, let paddingBytes):
      encoder.encode(Tag.probe.rawValue)
      encoder.encode(request)
      precondition(
        (0...Self.probeBytesMax).contains(replyBytes) && replyBytes % 4 == 0, "probe reply bytes")
      encoder.encode(UInt32(replyBytes))
      Self.encodePadding(paddingBytes, to: &encoder)
    case .probeReply(let request, let paddingBytes):
      encoder.encode(Tag.probeReply.rawValue)
      encoder.encode(request)
      Self.encodePadding(paddingBytes, to: &encoder)
    }
  }

  /// Padding travels as a count of zero floats, so that it is copied in bulk both ways.
  private static func encodePadding(_ bytes: Int, to encoder: inout WireEncoder) {
    precondition(bytes % 4 == 0, "padding is a whole number of floats")
    encoder.encode(
      [Float](repeating: 0, count: bytes / 4), field: "padding", countMax: probeBytesMax / 4)
  }

  /// Padding whose floats are not all +0.0 is refused: the frame keeps only its length, so any
  /// other bytes would be a second encoding of the same frame (found by `make fuzz`).
  private static func decodePadding(from decoder: inout WireDecoder) throws(WireError) -> Int {
    let padding = try decoder.decode([Float].self, field: "padding", countMax: probeBytesMax / 4)
    guard padding.allSatisfy({ $0.bitPattern == 0 }) else {
      throw .invalidValue(field: "padding", reason: "not all zero")
    }
    return padding.count * 4
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .protocolMessage: self = .protocolMessage(try decoder.decode(Message.self))
    case .announce: self = .announce(try decoder.decode(Announcement.self))
    case .directory:
      self = .directory(
        try decoder.decode(
          [DirectoryEntry].self, field: "directory", countMax: Self.directoryEntriesMax))
    case .statusRequest: self = .statusRequest(request: try decoder.decode(UInt64.self))
    case .statusReply:
      self = .statusReply(
        request: try decoder.decode(UInt64.self),
        json: try decoder.decode(String.self, field: "status", bytesMax: Self.statusJSONBytesMax))
    case .leaving: self = .leaving
    case .probe:
      let request = try decoder.decode(UInt64.self)
      let replyBytes = Int(try decoder.decode(UInt32.self))
      guard replyBytes <= Self.probeBytesMax, replyBytes % 4 == 0 else {
        throw .invalidValue(
          field: "replyBytes",
          reason: "\(replyBytes) is not a multiple of 4 up to \(Self.probeBytesMax)")
      }
      self = .probe(
        request: request, replyBytes: replyBytes,
        paddingBytes: try Self.decodePadding(from: &decoder))
    case .probeReply:
      self = .probeReply(
        request: try decoder.decode(UInt64.self),
        paddingBytes: try Self.decodePadding(from: &decoder))
    case nil: throw .unknownTag(type: "RuntimeFrame", tag: tag)
    }
  }
}

extension Announcement: WireCodable {
  /// No contact, the profile's 2 floats, uptime and reachability.
  public static let encodedBytesMin = 1 + 4 + 4 + 8 + 1

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(contact != nil)
    if let contact {
      encoder.encode(contact, field: "contact", bytesMax: RuntimeFrame.contactBytesMax)
    }
    encoder.encode(profile.capacity.samplesPerSecond)
    encoder.encode(profile.capacity.bandwidthBytesPerSecond)
    encoder.encode(profile.uptimeMilliseconds)
    encoder.encode(profile.isReachable)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let contact =
      try decoder.decode(Bool.self, field: "hasContact")
      ? try decoder.decode(String.self, field: "contact", bytesMax: RuntimeFrame.contactBytesMax)
      : nil
    let samples = try decoder.decode(Float.self)
    let bandwidth = try decoder.decode(Float.self)
    guard samples.isFinite, samples >= 0, bandwidth.isFinite, bandwidth >= 0 else {
      throw .invalidValue(field: "capacity", reason: "not a finite, non-negative number")
    }
    let uptime = try decoder.decode(UInt64.self)
    let isReachable = try decoder.decode(Bool.self, field: "isReachable")
    self.init(
      contact: contact,
      profile: PeerProfile(
        capacity: Capacity(samplesPerSecond: samples, bandwidthBytesPerSecond: bandwidth),
        uptimeMilliseconds: uptime, isReachable: isReachable))
  }
}

extension DirectoryEntry: WireCodable {
  public static let encodedBytesMin = PeerID.encodedBytesMin + 4

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(peer)
    encoder.encode(contact, field: "contact", bytesMax: RuntimeFrame.contactBytesMax)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      peer: try decoder.decode(PeerID.self),
      contact: try decoder.decode(
        String.self, field: "contact", bytesMax: RuntimeFrame.contactBytesMax))
  }
}
