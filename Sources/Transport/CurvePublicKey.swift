import CZMQ

/// A peer's CURVE public key: the 32-byte X25519 key that ZeroMQ authenticates on every
/// connection (for a Starling peer, the X25519 form of its Ed25519 key,
/// `SigningKeyPair.curvePublicKeyBytes`).
///
/// People and contacts carry it as Z85 text (ZeroMQ's base-85 encoding, RFC 32): 40 characters.
public struct CurvePublicKey: Hashable, Sendable, CustomStringConvertible {
  /// The key length: 32 bytes.
  public static let byteCount = 32
  /// The length of the key's Z85 text: 40 characters.
  public static let z85ByteCount = 40

  public let bytes: [UInt8]

  /// A key from its 32 bytes; `nil` when `bytes` has another length.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }

  /// The key that `text` spells in Z85; `nil` unless `text` is exactly 40 characters of the Z85
  /// alphabet that decode to 32 bytes and encode back to the same text (so each key has exactly
  /// one spelling).
  public init?(z85 text: String) {
    guard text.utf8.count == Self.z85ByteCount else { return nil }
    var decoded = [UInt8](repeating: 0, count: Self.byteCount)
    let isDecoded = text.withCString { zmq_z85_decode(&decoded, $0) != nil }
    guard isDecoded, let key = CurvePublicKey(bytes: decoded), key.z85 == text else { return nil }
    self = key
  }

  /// The 40-character Z85 text of the key.
  public var z85: String {
    var text = [CChar](repeating: 0, count: Self.z85ByteCount + 1)
    let encoded = zmq_z85_encode(&text, bytes, bytes.count)
    precondition(encoded != nil, "zmq_z85_encode refused a 32-byte key")
    return String(
      decoding: text.prefix(Self.z85ByteCount).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  public var description: String { z85 }
}
