import CSodium

/// An Ed25519 key pair (libsodium's `crypto_sign`): the peer's long-term identity. It signs what
/// the peer says; its public half names the peer and checks the signatures.
///
/// The secret half stays in libsodium's guarded memory (`SecretBytes`) and is never printed.
public struct SigningKeyPair: Sendable, CustomStringConvertible {
  /// The seed length: 32 bytes. The seed determines the whole key pair; key files hold it.
  public static let seedByteCount = Int(crypto_sign_SEEDBYTES)
  static let secretKeyByteCount = Int(crypto_sign_SECRETKEYBYTES)

  public let publicKey: PublicKey
  /// libsodium's 64-byte secret key: the seed followed by the public key.
  private let secretKey: SecretBytes

  /// A new key pair from 32 bytes of the operating system's secure random generator.
  public static func generate() -> SigningKeyPair {
    SodiumLibrary.ensureInitialized()
    var seed = [UInt8](repeating: 0, count: seedByteCount)
    defer { sodium_memzero(&seed, seedByteCount) }
    randombytes_buf(&seed, seedByteCount)
    return SigningKeyPair(seed: seed)
  }

  /// The key pair that `seed` (32 bytes) determines: the same seed gives the same keys, for
  /// deterministic tests and for loading a key file.
  public init(seed: [UInt8]) {
    precondition(seed.count == Self.seedByteCount, "an Ed25519 seed has 32 bytes")
    self = seed.withUnsafeBytes { SigningKeyPair(seed: $0) }
  }

  /// The key pair that the 32 bytes at `seed` determine (the bytes are only read during the call).
  init(seed: UnsafeRawBufferPointer) {
    precondition(seed.count == Self.seedByteCount, "an Ed25519 seed has 32 bytes")
    SodiumLibrary.ensureInitialized()
    var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
    secretKey = SecretBytes(count: Self.secretKeyByteCount) { secret in
      let status = crypto_sign_seed_keypair(
        &publicBytes, secret.baseAddress!.assumingMemoryBound(to: UInt8.self),
        seed.baseAddress!.assumingMemoryBound(to: UInt8.self))
      precondition(status == 0, "crypto_sign_seed_keypair failed")
    }
    publicKey = PublicKey(bytes: publicBytes)!
  }

  /// The Ed25519 signature of `message` (deterministic: the same key and message give the same
  /// signature).
  /// - Complexity: O(n) in the message length.
  public func sign(_ message: [UInt8]) -> Signature {
    var signature = [UInt8](repeating: 0, count: Signature.byteCount)
    secretKey.withUnsafeBytes { secret in
      message.withUnsafeBufferPointer { messageBuffer in
        let status = crypto_sign_detached(
          &signature, nil, messageBuffer.baseAddress, UInt64(messageBuffer.count),
          secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
        precondition(status == 0, "crypto_sign_detached failed")
      }
    }
    return Signature(bytes: signature)!
  }

  /// Calls `body` with the 32-byte seed (for the key file); it must not escape `body`.
  func withSeed<Result, Failure: Error>(
    _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try secretKey.withUnsafeBytes { (secret) throws(Failure) in
      try body(UnsafeRawBufferPointer(rebasing: secret[0..<Self.seedByteCount]))
    }
  }

  /// The X25519 form of the public key (32 bytes), for ZeroMQ's `ZMQ_CURVE_PUBLICKEY`.
  public var curvePublicKeyBytes: [UInt8] {
    // A key pair made by libsodium always has a valid public point.
    publicKey.curveBytes()!
  }

  /// The X25519 form of the secret key (32 bytes), for ZeroMQ's `ZMQ_CURVE_SECRETKEY`. A copy of
  /// secret material: hand it to the socket and let it go.
  public func curveSecretKeyBytes() -> [UInt8] {
    var curve = [UInt8](repeating: 0, count: PublicKey.curveByteCount)
    secretKey.withUnsafeBytes { secret in
      let status = crypto_sign_ed25519_sk_to_curve25519(
        &curve, secret.baseAddress!.assumingMemoryBound(to: UInt8.self))
      precondition(status == 0, "crypto_sign_ed25519_sk_to_curve25519 failed")
    }
    return curve
  }

  /// The public key only: the secret half is never printed.
  public var description: String { "SigningKeyPair(public key \(publicKey.hexadecimal))" }
}
