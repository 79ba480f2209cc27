import Testing

@testable import Wire

@Suite struct WireDecoderTests {
  @Test func integersReadBackLittleEndian() throws {
    var decoder = WireDecoder(hex("AB", "02 01", "06 05 04 03", "0E 0D 0C 0B 0A 09 08 07")[...])
    #expect(try decoder.decode(UInt8.self) == 0xAB)
    #expect(try decoder.decode(UInt16.self) == 0x0102)
    #expect(try decoder.decode(UInt32.self) == 0x0304_0506)
    #expect(try decoder.decode(UInt64.self) == 0x0708_090A_0B0C_0D0E)
    #expect(decoder.bytesRemaining == 0)
    try decoder.finish()
  }

  @Test func readsWorkOnASliceThatDoesNotStartAtZero() throws {
    let bytes = hex("FF FF FF", "02 01")
    var decoder = WireDecoder(bytes[3...])
    #expect(try decoder.decode(UInt16.self) == 0x0102)
    #expect(decoder.bytesRead == 2)
  }

  @Test func readingPastTheEndIsTruncated() {
    var decoder = WireDecoder(hex("01 02 03")[...])
    #expect(throws: WireError.truncated(needed: 4, available: 3)) {
      try decoder.decode(UInt32.self)
    }
  }

  @Test func aBooleanByteOtherThanZeroOrOneIsInvalid() {
    var decoder = WireDecoder([2][...])
    #expect(throws: WireError.invalidValue(field: "flag", reason: "boolean byte 2 is not 0 or 1")) {
      try decoder.decode(Bool.self, field: "flag")
    }
  }

  @Test func aPresenceByteOtherThanZeroOrOneIsInvalid() {
    var decoder = WireDecoder([7][...])
    #expect(throws: WireError.invalidValue(field: "peer", reason: "boolean byte 7 is not 0 or 1")) {
      try decoder.decode(optional: PeerID.self, field: "peer")
    }
  }

  @Test func aLengthOverItsMaximumIsRejectedBeforeReadingElements() {
    // 2^31 floats would be 8 GiB: the check must come before any allocation.
    var decoder = WireDecoder(lengthBytes(1 << 31)[...])
    #expect(
      throws: WireError.lengthTooLarge(field: "values", length: 1 << 31, maximum: 1_000)
    ) {
      try decoder.decode([Float].self, field: "values", countMax: 1_000)
    }
  }

  @Test func aLengthTheRemainingBytesCannotHoldIsTruncatedBeforeAllocating() {
    // Within the maximum, but 1000 peers need 32000 bytes and only 32 follow.
    var decoder = WireDecoder((lengthBytes(1_000) + hex(samplePeerHex))[...])
    #expect(throws: WireError.truncated(needed: 32_000, available: 32)) {
      try decoder.decode([PeerID].self, field: "peers", countMax: 1_000)
    }
  }

  @Test func aMaximumLengthUInt32IsRejectedWithoutOverflow() {
    var decoder = WireDecoder(lengthBytes(Int(UInt32.max))[...])
    #expect(
      throws: WireError.truncated(needed: Int(UInt32.max) * 32, available: 0)
    ) {
      try decoder.decode([PeerID].self, field: "peers", countMax: Int(UInt32.max))
    }
  }

  @Test func floatArraysReadBackBitForBit() throws {
    let quietNaNWithPayload = Float(bitPattern: 0x7FC0_1234)
    let signallingNaN = Float(bitPattern: 0xFF80_0001)
    let values: [Float] = [1, quietNaNWithPayload, signallingNaN, -0.0, .infinity]
    var encoder = WireEncoder()
    encoder.encode(values, field: "values", countMax: 5)
    var decoder = WireDecoder(encoder.bytes[...])
    let decoded = try decoder.decode([Float].self, field: "values", countMax: 5)
    #expect(decoded.map(\.bitPattern) == values.map(\.bitPattern))
  }

  @Test func floatArraysReadFromAnUnalignedOffset() throws {
    let bytes = hex("00", "02 00 00 00", "00 00 80 3F", "00 00 20 C0")
    var decoder = WireDecoder(bytes[1...])
    #expect(try decoder.decode([Float].self, field: "values", countMax: 2) == [1, -2.5])
  }

  @Test func invalidUTF8IsAnInvalidValue() {
    var decoder = WireDecoder(hex("02 00 00 00", "C3 28")[...])
    #expect(throws: WireError.invalidValue(field: "text", reason: "not valid UTF-8")) {
      try decoder.decode(String.self, field: "text", bytesMax: 10)
    }
  }

  @Test func stringsReadBackTheirUTF8() throws {
    var decoder = WireDecoder(hex("05 00 00 00", "F0 9F A6 A4 21")[...])
    #expect(try decoder.decode(String.self, field: "text", bytesMax: 5) == "🦤!")
  }

  @Test func finishReportsTheBytesLeftOver() throws {
    var decoder = WireDecoder([1, 2, 3][...])
    _ = try decoder.decode(UInt8.self)
    #expect(throws: WireError.trailingBytes(count: 2)) { try decoder.finish() }
  }
}
