import Identity

/// The proof of work a project may ask of every peer's key, so that each identity costs its
/// maker some computation (a Sybil attacker pays for every key it brings).
///
/// The work is over the peer's CURVE public key, the only key the ZAP handler sees: the
/// BLAKE2b-256 hash (`crypto_generichash`, no key) of the 15 ASCII bytes `starling-pow-v1`
/// followed by the 32 key bytes must start with at least the project's number of zero bits
/// (counted from the most significant bit of byte 0). The CURVE key is derived from the Ed25519
/// key and bound to it by the signed hello, so the work names one identity. It does not depend
/// on the project, whose ID is computed from a configuration that already lists peers' keys.
///
/// Finding a key with `n` bits takes 2^n tries on average (`starling keygen --pow-bits n`);
/// checking one takes one hash.
public enum ProofOfWork {
  /// What the hashed bytes start with: the 15 ASCII bytes `starling-pow-v1`.
  public static let domain: [UInt8] = Array("starling-pow-v1".utf8)
  /// The most bits a project may require (2^28 tries is hours of grinding on one core).
  public static let bitsMax = 28

  /// The number of leading zero bits of the key's work hash: its proof of work.
  public static func bits(of key: CurvePublicKey) -> Int {
    bits(ofCurveKeyBytes: key.bytes)
  }

  /// The proof of work of a 32-byte CURVE public key given as raw bytes.
  public static func bits(ofCurveKeyBytes bytes: some Collection<UInt8>) -> Int {
    leadingZeroBits(ContentHash.of(bytes: domain + bytes).bytes)
  }

  /// Whether `key` carries at least `required` bits of work (always, for 0).
  public static func isSatisfied(by key: CurvePublicKey, bits required: Int) -> Bool {
    required <= 0 || bits(of: key) >= required
  }

  /// The number of zero bits before the first one bit, byte 0's most significant bit first.
  static func leadingZeroBits(_ bytes: [UInt8]) -> Int {
    var count = 0
    for byte in bytes {
      guard byte == 0 else { return count + byte.leadingZeroBitCount }
      count += 8
    }
    return count
  }
}
