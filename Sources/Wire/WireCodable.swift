/// A value with a binary wire encoding: little-endian, length-prefixed, every length bounded.
///
/// Encoding is total for values within the bounds of their type (the `*Limits` enums);
/// encoding a value beyond them is a programmer error and stops the process, so that a peer
/// never sends what every other peer would reject. Decoding never trusts its input: it checks
/// every tag, length and value and throws a `WireError`.
public protocol WireCodable {
  /// The fewest bytes any value of this type encodes to. Decoders multiply a length prefix by
  /// it to reject, before allocating, a count that the remaining bytes cannot hold.
  static var encodedBytesMin: Int { get }

  /// Appends this value's encoding.
  func encode(to encoder: inout WireEncoder)

  /// Reads one value, advancing `decoder` past it.
  init(from decoder: inout WireDecoder) throws(WireError)
}

extension WireCodable {
  /// This value's encoding on its own.
  public var wireBytes: [UInt8] {
    var encoder = WireEncoder()
    encode(to: &encoder)
    return encoder.bytes
  }

  /// Decodes exactly one value from `bytes`; leftover bytes are an error.
  public init(wireBytes bytes: ArraySlice<UInt8>) throws(WireError) {
    var decoder = WireDecoder(bytes)
    self = try Self(from: &decoder)
    try decoder.finish()
  }
}
