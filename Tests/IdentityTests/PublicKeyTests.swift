import Identity
import Testing

/// Verification rejects every change; the peer ID hash is BLAKE2b-256 of the key bytes.
struct PublicKeyTests {
  let keyPair = SigningKeyPair(seed: RFC8032Test1.seed)
  let message = Array("model 7f3a committed in round 12".utf8)

  @Test func aSignatureVerifiesOnlyForItsMessageAndKey() {
    let signature = keyPair.sign(message)
    #expect(keyPair.publicKey.verify(signature: signature, message: message))
    var altered = message
    altered[0] ^= 1
    #expect(!keyPair.publicKey.verify(signature: signature, message: altered))
    #expect(!keyPair.publicKey.verify(signature: signature, message: message + [0]))
    let other = SigningKeyPair(seed: RFC8032Test2.seed)
    #expect(!other.publicKey.verify(signature: signature, message: message))
  }

  @Test(arguments: [0, 31, 32, 63])
  func aSignatureWithAnyFlippedByteFails(index: Int) {
    var bytes = keyPair.sign(message).bytes
    bytes[index] ^= 0x40
    let forged = Signature(bytes: bytes)!
    #expect(!keyPair.publicKey.verify(signature: forged, message: message))
  }

  @Test func aSmallOrderKeyVerifiesNothingAndHasNoCurveForm() {
    // The identity point (y = 1): every "signature" by it would be trivial, so libsodium refuses.
    let identityPoint = PublicKey(bytes: [1] + [UInt8](repeating: 0, count: 31))!
    let signature = Signature(bytes: [1] + [UInt8](repeating: 0, count: 63))!
    #expect(!identityPoint.verify(signature: signature, message: message))
    #expect(!identityPoint.verify(signature: signature, message: []))
    #expect(identityPoint.curveBytes() == nil)
  }

  @Test func initFromBytesAcceptsExactly32() {
    #expect(PublicKey(bytes: keyPair.publicKey.bytes) == keyPair.publicKey)
    #expect(PublicKey(bytes: Array(keyPair.publicKey.bytes.dropLast())) == nil)
    #expect(PublicKey(bytes: keyPair.publicKey.bytes + [0]) == nil)
  }

  @Test func peerIDHashIsBLAKE2b256OfTheKeyBytes() {
    // hashlib.blake2b(public key, digest_size=32).
    #expect(
      keyPair.publicKey.peerIDHash.hexadecimal
        == "7849ac3049680be1ef762efe0d36e01733c3464eb0c7c558138acf24bb263bd3")
    #expect(keyPair.publicKey.peerIDHash == ContentHash.of(bytes: keyPair.publicKey.bytes))
  }

  @Test func curveBytesOfTheKeyPairsPublicKeyAreItsCurvePublicKey() {
    #expect(keyPair.publicKey.curveBytes() == keyPair.curvePublicKeyBytes)
  }
}
