import CSodium

/// An Ed25519 public key: 32 bytes. It checks signatures, names its peer (`peerIDHash`) and
/// converts to the X25519 key that ZeroMQ's CURVE uses.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
  /// The key length: 32 bytes.
  public static let byteCount = Int(crypto_sign_PUBLICKEYBYTES)
  /// The length of an X25519 (CURVE) key: 32 bytes.
  public static let curveByteCount = Int(crypto_scalarmult_curve25519_BYTES)

  public let bytes: [UInt8]

  /// A key from its 32 bytes (off the wire, say); `nil` when `bytes` has another length. Whether
  /// the bytes are a usable point is checked where it matters: `verify` and `curveBytes()`.
  public init?(bytes: [UInt8]) {
    guard bytes.count == Self.byteCount else { return nil }
    self.bytes = bytes
  }

  /// Whether `signature` is this key's signature of exactly `message`.
  ///
  /// False for a forged or altered signature or message, and for a key that is not a valid point
  /// or has small order (libsodium rejects those).
  /// - Complexity: O(n) in the message length.
  public func verify(signature: Signature, message: [UInt8]) -> Bool {
    SodiumLibrary.ensureInitialized()
    return message.withUnsafeBufferPointer { messageBuffer in
      crypto_sign_verify_detached(
        signature.bytes, messageBuffer.baseAddress, UInt64(messageBuffer.count), bytes) == 0
    }
  }

  /// The BLAKE2b-256 hash of the 32 key bytes: the peer ID of the key's owner (`Wire`'s
  /// `PeerID(publicKey:)` wraps it).
  public var peerIDHash: ContentHash { ContentHash.of(bytes: bytes) }

  /// The same key in X25519 form (32 bytes), the CURVE public key of the peer's ZeroMQ sockets;
  /// `nil` when these bytes are not a valid Ed25519 point.
  public func curveBytes() -> [UInt8]? {
    SodiumLibrary.ensureInitialized()
    var curve = [UInt8](repeating: 0, count: Self.curveByteCount)
    guard crypto_sign_ed25519_pk_to_curve25519(&curve, bytes) == 0 else { return nil }
    return curve
  }

  /// 64 lower-case hexadecimal digits.
  public var hexadecimal: String { Identity.hexadecimal(bytes) }

  public var description: String { hexadecimal }
}
