import Identity
import Testing

/// Ed25519 key pairs against RFC 8032 and against themselves.
struct SigningKeyPairTests {
  @Test func seedGivesTheRFC8032PublicKeyAndSignature() {
    let keyPair = SigningKeyPair(seed: RFC8032Test1.seed)
    #expect(keyPair.publicKey.hexadecimal == RFC8032Test1.publicKey)
    #expect(keyPair.sign([]).bytes == bytes(hexadecimal: RFC8032Test1.signature))
    let second = SigningKeyPair(seed: RFC8032Test2.seed)
    #expect(second.publicKey.hexadecimal == RFC8032Test2.publicKey)
    #expect(second.sign(RFC8032Test2.message).bytes == bytes(hexadecimal: RFC8032Test2.signature))
  }

  @Test func theSameSeedGivesTheSameKeysAndSignatures() {
    let seed = [UInt8](0..<32)
    let first = SigningKeyPair(seed: seed)
    let second = SigningKeyPair(seed: seed)
    #expect(first.publicKey == second.publicKey)
    #expect(first.sign(Array("starling".utf8)) == second.sign(Array("starling".utf8)))
  }

  @Test func generatedKeyPairsDifferAndVerifyTheirOwnSignatures() {
    let keyPairs = (0..<8).map { _ in SigningKeyPair.generate() }
    #expect(Set(keyPairs.map(\.publicKey)).count == 8)
    let message = Array("round 3 partial".utf8)
    for keyPair in keyPairs {
      #expect(keyPair.publicKey.verify(signature: keyPair.sign(message), message: message))
    }
  }

  @Test func curveKeysMatchAnIndependentX25519Derivation() {
    // Python's `cryptography`: X25519 from the clamped first half of SHA-512(seed), and its
    // public key.
    let keyPair = SigningKeyPair(seed: RFC8032Test1.seed)
    #expect(
      keyPair.curveSecretKeyBytes()
        == bytes(hexadecimal: "307c83864f2833cb427a2ef1c00a013cfdff2768d980c0a3a520f006904de94f"))
    #expect(
      keyPair.curvePublicKeyBytes
        == bytes(hexadecimal: "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e"))
  }

  @Test func descriptionShowsOnlyThePublicKey() {
    let keyPair = SigningKeyPair(seed: RFC8032Test1.seed)
    let description = String(describing: keyPair)
    #expect(description.contains(RFC8032Test1.publicKey))
    #expect(!description.contains("9d61b19d"))
  }
}
