import Identity
import Testing

struct SignatureTests {
  @Test func initFromBytesAcceptsExactly64() {
    #expect(Signature(bytes: [UInt8](repeating: 0, count: 64))?.bytes.count == 64)
    #expect(Signature(bytes: [UInt8](repeating: 0, count: 63)) == nil)
    #expect(Signature(bytes: [UInt8](repeating: 0, count: 65)) == nil)
  }

  @Test func signaturesAreDeterministicPerMessage() {
    let keyPair = SigningKeyPair(seed: RFC8032Test2.seed)
    #expect(keyPair.sign([1, 2, 3]) == keyPair.sign([1, 2, 3]))
    #expect(keyPair.sign([1, 2, 3]) != keyPair.sign([1, 2, 4]))
  }
}
