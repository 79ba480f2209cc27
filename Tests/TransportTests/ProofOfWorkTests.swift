import Identity
import Testing

@testable import Transport

/// The proof of work over a CURVE key: leading zero bits of BLAKE2b-256("starling-pow-v1" || key).
struct ProofOfWorkTests {
  /// Computed independently with Python's `hashlib.blake2b(b"starling-pow-v1" + key,
  /// digest_size=32)`.
  @Test(arguments: [
    // RFC 8032 test 1's CURVE key (docs/protocol.md, the hello's test vector): the hash starts
    // 15df19a2, so 3 bits.
    ("d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e", 3),
    // A ground key: the hash starts 000069ed, so 17 bits.
    ("634207962c8ebd1a476d561fa1fd13bbfb0e42fe662506317a825062129c43e3", 17),
  ])
  func theWorkOfAKeyMatchesTheReferenceVector(keyHexadecimal: String, bits: Int) throws {
    let key = try #require(CurvePublicKey(bytes: bytes(hexadecimal: keyHexadecimal)))
    #expect(ProofOfWork.bits(of: key) == bits)
    #expect(ProofOfWork.isSatisfied(by: key, bits: bits))
    #expect(!ProofOfWork.isSatisfied(by: key, bits: bits + 1))
    #expect(ProofOfWork.isSatisfied(by: key, bits: 0))
  }

  @Test func leadingZeroBitsCountFromTheFirstBytesMostSignificantBit() {
    #expect(ProofOfWork.leadingZeroBits([0x80, 0]) == 0)
    #expect(ProofOfWork.leadingZeroBits([0x01, 0xFF]) == 7)
    #expect(ProofOfWork.leadingZeroBits([0x00, 0x40]) == 9)
    #expect(ProofOfWork.leadingZeroBits([0x00, 0x00]) == 16)
    #expect(ProofOfWork.leadingZeroBits([]) == 0)
  }

  @Test func aSearchFindsAKeyWithTheWorkAndItsCurveKeyIsTheKeyPairs() throws {
    let found = try #require(
      SigningKeyPair.search(
        triesMax: 1 << 16, accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) >= 6 }))
    let key = try #require(CurvePublicKey(bytes: found.keyPair.curvePublicKeyBytes))
    #expect(ProofOfWork.bits(of: key) >= 6)
    #expect(found.tries >= 1)
  }

  @Test func aSearchThatFindsNothingInItsTriesSaysSo() {
    #expect(SigningKeyPair.search(triesMax: 3, accepting: { _ in false }) == nil)
  }
}
