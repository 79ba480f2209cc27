import CSodium

extension SigningKeyPair {
  /// A new random key pair whose CURVE (X25519) public key `isAccepted` accepts, found by
  /// trying fresh keys, and the number of keys tried; nil after `triesMax` tries. For a proof
  /// of work over the CURVE key (`starling keygen --pow-bits`).
  ///
  /// Each try draws a seed from the operating system's secure random generator into one
  /// `sodium_malloc` scratch buffer (zeroed and freed at the end) and computes the X25519
  /// public key of the seed's clamped scalar (`crypto_sign_ed25519_sk_to_curve25519`, then
  /// `crypto_scalarmult_curve25519_base`): the same key as the X25519 form of the Ed25519
  /// public key, without the Ed25519 key itself or the subgroup check that
  /// `crypto_sign_ed25519_pk_to_curve25519` makes (about half the cost per try). Only the winner
  /// becomes a `SigningKeyPair`, and its CURVE key is checked against the one found.
  /// - Complexity: O(`triesMax`); about 2^n tries for n bits of work.
  public static func search(
    triesMax: Int, accepting isAccepted: ([UInt8]) -> Bool
  ) -> (keyPair: SigningKeyPair, tries: Int)? {
    precondition(triesMax > 0, "a search makes at least one try")
    SodiumLibrary.ensureInitialized()
    // A secret key's layout (the seed, then room for the public key; only the seed is read),
    // then the X25519 secret scalar.
    let curveSecretBytes = Int(crypto_scalarmult_curve25519_SCALARBYTES)
    let scratchBytes = secretKeyByteCount + curveSecretBytes
    guard let scratch = sodium_malloc(scratchBytes) else {
      preconditionFailure("sodium_malloc could not allocate \(scratchBytes) secret bytes")
    }
    defer { sodium_free(scratch) }
    let secret = scratch.assumingMemoryBound(to: UInt8.self)
    sodium_memzero(secret, scratchBytes)
    let curveSecret = secret + secretKeyByteCount
    var curve = [UInt8](repeating: 0, count: PublicKey.curveByteCount)
    for tries in 1...triesMax {
      randombytes_buf(secret, seedByteCount)
      var status = crypto_sign_ed25519_sk_to_curve25519(curveSecret, secret)
      precondition(status == 0, "crypto_sign_ed25519_sk_to_curve25519 failed")
      status = crypto_scalarmult_curve25519_base(&curve, curveSecret)
      precondition(status == 0, "crypto_scalarmult_curve25519_base failed")
      guard isAccepted(curve) else { continue }
      let keyPair = SigningKeyPair(
        seed: UnsafeRawBufferPointer(start: secret, count: seedByteCount))
      precondition(
        keyPair.curvePublicKeyBytes == curve, "the X25519 key of the seed is its Ed25519 key's")
      return (keyPair, tries)
    }
    return nil
  }
}
