/// The unit of transmission: a fixed header, then one encoded `Envelope`.
///
/// Layout (all integers little-endian):
///
///     offset  size  field
///     0       2     magic, the bytes "SL" (0x53 0x4C)
///     2       2     protocol version (`Frame.version`)
///     4       4     payload length in bytes, at most `Frame.payloadBytesMax`
///     8       n     the envelope (`Envelope.encode(to:)`), exactly n bytes
public enum Frame {
  /// "SL" read as a little-endian `UInt16`.
  public static let magic: UInt16 = 0x4C53
  /// The protocol version this peer writes and the only one it reads.
  public static let version: UInt16 = 1
  public static let headerBytes = 8
  /// Enough for a model of `RoundLimits.valuesMax` floats (64 MiB) and its envelope.
  public static let payloadBytesMax = 80 << 20
  public static let bytesMax = headerBytes + payloadBytesMax

  /// The frame that carries `envelope`.
  ///
  /// - Precondition: every field is within its wire bound and the payload within
  ///   `payloadBytesMax` (a sender's bug, not a peer's: what we send, every peer must accept).
  /// - Complexity: O(n) in the encoded size; float payloads are copied in bulk.
  public static func encode(_ envelope: Envelope) -> [UInt8] {
    var encoder = WireEncoder(capacity: headerBytes + 256 + 4 * envelope.message.floatCount)
    encoder.encode(magic)
    encoder.encode(version)
    encoder.encode(UInt32(0))  // The payload length, patched below.
    encoder.encode(envelope)
    let payloadBytes = encoder.bytes.count - headerBytes
    precondition(
      payloadBytes <= payloadBytesMax,
      "frame payload of \(payloadBytes) bytes exceeds Frame.payloadBytesMax (\(payloadBytesMax))")
    encoder.overwrite(UInt32(payloadBytes), at: 4)
    return encoder.bytes
  }

  /// The envelope in `bytes`, which must hold exactly one frame.
  public static func decode(_ bytes: [UInt8]) throws(WireError) -> Envelope {
    try decode(bytes[...])
  }

  /// The envelope in `bytes`, which must hold exactly one frame.
  public static func decode(_ bytes: ArraySlice<UInt8>) throws(WireError) -> Envelope {
    let payloadBytes = try payloadLength(header: bytes)
    let available = bytes.count - headerBytes
    guard payloadBytes <= available else {
      throw .truncated(needed: payloadBytes, available: available)
    }
    guard payloadBytes == available else { throw .trailingBytes(count: available - payloadBytes) }
    return try decodePayload(bytes.dropFirst(headerBytes))
  }

  /// Checks the header at the start of `bytes` and returns the payload length it declares.
  ///
  /// Throws `truncated` when fewer than `headerBytes` bytes are given, `badMagic`,
  /// `unsupportedVersion`, or `lengthTooLarge` for a payload over `payloadBytesMax`.
  public static func payloadLength(header bytes: ArraySlice<UInt8>) throws(WireError) -> Int {
    var decoder = WireDecoder(bytes.prefix(headerBytes))
    guard try decoder.decode(UInt16.self) == magic else { throw .badMagic }
    let found = try decoder.decode(UInt16.self)
    guard found == version else { throw .unsupportedVersion(found: found) }
    let length = Int(try decoder.decode(UInt32.self))
    guard length <= payloadBytesMax else {
      throw .lengthTooLarge(field: "Frame.payload", length: length, maximum: payloadBytesMax)
    }
    return length
  }

  /// Decodes a payload that must hold exactly one envelope.
  static func decodePayload(_ payload: ArraySlice<UInt8>) throws(WireError) -> Envelope {
    try Envelope(wireBytes: payload)
  }
}

extension Message {
  /// Floats carried by this message, to size the encoding buffer once.
  fileprivate var floatCount: Int {
    switch self {
    case .round(.update(_, _, let values)), .round(.partial(_, _, _, let values, _)),
      .round(.model(_, _, let values)):
      values.count
    case .membership, .council, .round:
      0
    }
  }
}
