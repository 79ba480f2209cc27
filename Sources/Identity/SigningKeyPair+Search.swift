import CSodium

extension SigningKeyPair {
  /// A new random key pair whose CURVE (X25519) public key `isAccepted` accepts, found by
  /// trying fresh keys, and the number of keys tried; nil after `triesMax` tries. For a proof
  /// of work over the CURVE key (`starling keygen --pow-bits`).
  ///
  /// Each try draws a seed from the operating system's secure random generator into one
  /// `sodium_malloc` scratch buffer (zeroed and freed at the end), derives the Ed25519 public
  /// key and its X25519 form; only the winner becomes a `SigningKeyPair`.
  /// - Complexity: O(`triesMax`); about 2^n tries for n bits of work.
  public static func search(
    triesMax: Int, accepting isAccepted: ([UInt8]) -> Bool
  ) -> (keyPair: SigningKeyPair, tries: Int)? {
    precondition(triesMax > 0, "a search makes at least one try")
    SodiumLibrary.ensureInitialized()
    let scratchBytes = seedByteCount + secretKeyByteCount
    guard let scratch = sodium_malloc(scratchBytes) else {
      preconditionFailure("sodium_malloc could not allocate \(scratchBytes) secret bytes")
    }
    defer { sodium_free(scratch) }
    let seed = scratch.assumingMemoryBound(to: UInt8.self)
    let secret = seed + seedByteCount
    var publicBytes = [UInt8](repeating: 0, count: PublicKey.byteCount)
    var curve = [UInt8](repeating: 0, count: PublicKey.curveByteCount)
    for tries in 1...triesMax {
      randombytes_buf(seed, seedByteCount)
      let status = crypto_sign_seed_keypair(&publicBytes, secret, seed)
      precondition(status == 0, "crypto_sign_seed_keypair failed")
      guard crypto_sign_ed25519_pk_to_curve25519(&curve, publicBytes) == 0 else { continue }
      if isAccepted(curve) {
        let keyPair = SigningKeyPair(
          seed: UnsafeRawBufferPointer(start: seed, count: seedByteCount))
        return (keyPair, tries)
      }
    }
    return nil
  }
}
