extension PeerID: WireCodable {
  /// Four little-endian `UInt64` words.
  public static let encodedBytesMin = 32

  public func encode(to encoder: inout WireEncoder) { encoder.encode(words256: words) }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(words: try decoder.decodeWords256())
  }
}

extension Digest: WireCodable {
  /// Four little-endian `UInt64` words.
  public static let encodedBytesMin = 32

  public func encode(to encoder: inout WireEncoder) { encoder.encode(words256: words) }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(words: try decoder.decodeWords256())
  }
}

extension WireEncoder {
  /// A 256-bit identifier (peer ID, digest) as four little-endian words.
  mutating func encode(words256 words: (UInt64, UInt64, UInt64, UInt64)) {
    encode(words.0)
    encode(words.1)
    encode(words.2)
    encode(words.3)
  }
}

extension WireDecoder {
  /// The inverse of `WireEncoder.encode(words256:)`.
  mutating func decodeWords256() throws(WireError) -> (UInt64, UInt64, UInt64, UInt64) {
    (
      try decode(UInt64.self), try decode(UInt64.self), try decode(UInt64.self),
      try decode(UInt64.self)
    )
  }
}

extension PeerAddress: WireCodable {
  /// A length prefix and at most `bytesMax` UTF-8 bytes.
  public static let encodedBytesMin = 4

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(text, field: "PeerAddress.text", bytesMax: Self.bytesMax)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(try decoder.decode(String.self, field: "PeerAddress.text", bytesMax: Self.bytesMax))
  }
}
