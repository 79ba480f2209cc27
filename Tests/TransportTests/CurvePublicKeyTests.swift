import Identity
import Testing
import Transport

/// CURVE keys and their Z85 text.
struct CurvePublicKeyTests {
  @Test func keysRoundTripThroughZ85() {
    for _ in 0..<16 {
      let key = CurvePublicKey(bytes: SigningKeyPair.generate().curvePublicKeyBytes)!
      #expect(key.z85.utf8.count == 40)
      #expect(CurvePublicKey(z85: key.z85) == key)
    }
  }

  @Test func theZeroKeyIsFortyZeros() {
    let zero = CurvePublicKey(bytes: [UInt8](repeating: 0, count: 32))!
    #expect(zero.z85 == String(repeating: "0", count: 40))
  }

  @Test func z85FromTheZeroMQSpecificationDecodes() {
    // RFC 32's example: the 8 bytes 86 4F D2 6F B5 59 F7 5B are "HelloWorld"; a 32-byte key made
    // of them four times is that text four times.
    let bytes: [UInt8] = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]
    let key = CurvePublicKey(z85: String(repeating: "HelloWorld", count: 4))
    #expect(key?.bytes == bytes + bytes + bytes + bytes)
  }

  @Test(arguments: [
    "", String(repeating: "0", count: 39), String(repeating: "0", count: 41),
    String(repeating: "0", count: 39) + "~", String(repeating: "0", count: 39) + " ",
    String(repeating: "%", count: 40),  // Each group of five is past 2^32.
  ])
  func malformedZ85IsRefused(text: String) {
    #expect(CurvePublicKey(z85: text) == nil)
  }

  @Test func onlyThirtyTwoBytesMakeAKey() {
    #expect(CurvePublicKey(bytes: [UInt8](repeating: 1, count: 31)) == nil)
    #expect(CurvePublicKey(bytes: [UInt8](repeating: 1, count: 33)) == nil)
  }
}
