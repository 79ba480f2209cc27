extension PeerID: WireCodable {
  /// Four little-endian `UInt64` words.
  public static let encodedBytesMin = 32

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(words.0)
    encoder.encode(words.1)
    encoder.encode(words.2)
    encoder.encode(words.3)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      words: (
        try decoder.decode(UInt64.self), try decoder.decode(UInt64.self),
        try decoder.decode(UInt64.self), try decoder.decode(UInt64.self)
      ))
  }
}

extension Digest: WireCodable {
  /// Four little-endian `UInt64` words.
  public static let encodedBytesMin = 32

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(words.0)
    encoder.encode(words.1)
    encoder.encode(words.2)
    encoder.encode(words.3)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      words: (
        try decoder.decode(UInt64.self), try decoder.decode(UInt64.self),
        try decoder.decode(UInt64.self), try decoder.decode(UInt64.self)
      ))
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
