import CSodium

/// An Ed25519 signature: 64 bytes.
public struct Signature: Hashable, Sendable {
  /// The signature length: 64 bytes.
  public static let byteCount = Int(crypto_sign_BYTES)

  public let bytes: [UInt8]

  /// A signature from its 64 bytes (off the wire, say); `nil` when `bytes` has another length.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }
}
