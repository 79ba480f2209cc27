import Testing

@testable import Wire

@Suite struct WireEncoderTests {
  @Test func integersAreLittleEndianAndFixedWidth() {
    var encoder = WireEncoder()
    encoder.encode(UInt8(0xAB))
    encoder.encode(UInt16(0x0102))
    encoder.encode(UInt32(0x0304_0506))
    encoder.encode(UInt64(0x0708_090A_0B0C_0D0E))
    #expect(encoder.bytes == hex("AB", "02 01", "06 05 04 03", "0E 0D 0C 0B 0A 09 08 07"))
  }

  @Test func booleansAreOneByteZeroOrOne() {
    var encoder = WireEncoder()
    encoder.encode(false)
    encoder.encode(true)
    #expect(encoder.bytes == [0, 1])
  }

  @Test func floatsAreTheirLittleEndianBitPatterns() {
    var encoder = WireEncoder()
    encoder.encode(Float(1))  // 0x3F800000
    encoder.encode(Float(-2.5))  // 0xC0200000
    #expect(encoder.bytes == hex("00 00 80 3F", "00 00 20 C0"))
  }

  @Test func floatArraysAreACountThenTheSameBytesAsOneByOne() {
    let values: [Float] = [1, -2.5, .infinity, -0.0, .leastNonzeroMagnitude]
    var bulk = WireEncoder()
    bulk.encode(values, field: "values", countMax: 5)
    var oneByOne = WireEncoder()
    oneByOne.encode(UInt32(5))
    for value in values { oneByOne.encode(value) }
    #expect(bulk.bytes == oneByOne.bytes)
    #expect(bulk.bytes.count == 4 + 5 * 4)
  }

  @Test func stringsAreAByteCountThenUTF8() {
    var encoder = WireEncoder()
    encoder.encode("é!", field: "text", bytesMax: 3)
    #expect(encoder.bytes == hex("03 00 00 00", "C3 A9 21"))
  }

  @Test func optionalsAreAPresenceByteThenTheValue() {
    var encoder = WireEncoder()
    encoder.encode(optional: PeerID?.none)
    encoder.encode(optional: PeerID?.some(samplePeer))
    #expect(encoder.bytes == hex("00", "01", samplePeerHex))
  }

  @Test func arraysAreACountThenTheElements() {
    var encoder = WireEncoder()
    encoder.encode([samplePeer, samplePeer], field: "peers", countMax: 2)
    #expect(encoder.bytes == hex("02 00 00 00", samplePeerHex, samplePeerHex))
  }

  @Test func overwritePatchesFourBytesInPlace() {
    var encoder = WireEncoder()
    encoder.encode(UInt64(0))
    encoder.overwrite(0xDDCC_BBAA, at: 2)
    #expect(encoder.bytes == hex("00 00 AA BB CC DD 00 00"))
  }
}
