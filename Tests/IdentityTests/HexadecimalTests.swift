import Identity
import Testing

@Suite struct HexadecimalTests {
  @Test func decodingInvertsEncodingInEitherCase() {
    let bytes: [UInt8] = [0x00, 0x0f, 0xa5, 0xff]
    #expect(Identity.bytes(fromHexadecimal: hexadecimal(bytes)) == bytes)
    #expect(Identity.bytes(fromHexadecimal: "000FA5FF") == bytes)
  }

  @Test func oddLengthsAndNonDigitsAreRefused() {
    #expect(Identity.bytes(fromHexadecimal: "abc") == nil)
    #expect(Identity.bytes(fromHexadecimal: "zz") == nil)
    #expect(Identity.bytes(fromHexadecimal: "0g") == nil)
  }
}
