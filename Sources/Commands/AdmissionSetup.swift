import Configuration
import Identity
import Transport

/// The `security.admission` section turned into what a node's transport enforces.
enum AdmissionSetup {
  /// The rules of `configuration` (0 reads as off; allow-list keys in their CURVE form).
  static func rules(_ configuration: AdmissionConfiguration) -> AdmissionRules {
    var rules = AdmissionRules()
    rules.proofOfWorkBits = configuration.proofOfWorkBits
    rules.peersPerAddressMax =
      configuration.peersPerAddressMax > 0 ? configuration.peersPerAddressMax : nil
    rules.peersPerSubnetMax =
      configuration.peersPerSubnetMax > 0 ? configuration.peersPerSubnetMax : nil
    rules.connectionAttemptsPerSecond =
      configuration.connectionAttemptsPerSecond > 0
      ? configuration.connectionAttemptsPerSecond : nil
    rules.subnetConnectionAttemptsPerSecond =
      configuration.subnetConnectionAttemptsPerSecond > 0
      ? configuration.subnetConnectionAttemptsPerSecond : nil
    rules.overRateBlockMilliseconds = UInt64((configuration.overRateBlockSeconds * 1_000).rounded())
    rules.messagesPerSecondPerPeer =
      configuration.messagesPerSecondPerPeer > 0 ? configuration.messagesPerSecondPerPeer : nil
    rules.allowedKeys = configuration.allowList.map { entries in
      // The configuration checked that every key has an X25519 form.
      Set(entries.compactMap { $0.publicKey.curveBytes().flatMap(CurvePublicKey.init(bytes:)) })
    }
    return rules
  }

  /// A throw-away key for a query (`starling status`) that the project's listeners admit: one
  /// ground to `bits` of proof of work when the project asks for it (about 2^bits tries).
  static func queryKeyPair(proofOfWorkBits bits: Int) -> SigningKeyPair {
    guard bits > 0 else { return .generate() }
    // 2^(bits + 8) tries fail with probability e^-256.
    return SigningKeyPair.search(
      triesMax: 1 << (bits + 8), accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) >= bits })!
      .keyPair
  }

  /// This peer's key in `directory`: loaded, or made when there is none, ground to the
  /// project's proof of work. A key that carries less work than the project asks is refused.
  static func keyPair(
    inDirectory directory: String, proofOfWorkBits bits: Int, output: Output
  ) throws -> SigningKeyPair {
    let file = KeyStore.path(inDirectory: directory)
    let keyPair: SigningKeyPair
    if let existing = try KeyStore.load(file: file) {
      keyPair = existing
    } else if bits > 0 {
      output.line("grinding a key with \(bits) bits of proof of work (about 2^\(bits) tries)")
      guard
        let found = SigningKeyPair.search(
          triesMax: 1 << (bits + 8), accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) >= bits })
      else { throw UsageError("found no key with \(bits) bits of proof of work") }
      keyPair = try KeyStore.create(file: file, keyPair: found.keyPair)
    } else {
      keyPair = try KeyStore.loadOrCreate(directory: directory)
    }
    let carried = ProofOfWork.bits(ofCurveKeyBytes: keyPair.curvePublicKeyBytes)
    guard carried >= bits else {
      throw UsageError(
        "the key in \(file) carries \(carried) bits of proof of work and the project asks for "
          + "\(bits) (security.admission.proofOfWorkBits): make one with `starling keygen "
          + "--pow-bits \(bits) --out FILE` and put it there")
    }
    return keyPair
  }
}
