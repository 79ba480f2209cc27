import Testing

@testable import Wire

@Suite struct IdentifiersWireCodableTests {
  @Test func aPeerIDIsItsFourWordsLittleEndian() {
    #expect(samplePeer.wireBytes == hex(samplePeerHex))
  }

  @Test func aDigestIsItsFourWordsLittleEndian() {
    #expect(sampleDigest.wireBytes == hex(sampleDigestHex))
  }

  @Test func anAddressIsAByteCountThenUTF8() {
    #expect(PeerAddress("h:1").wireBytes == hex("03 00 00 00", "68 3A 31"))
  }

  @Test(arguments: roundTripSeeds)
  func randomIdentifiersRoundTrip(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    let peer = random.peer()
    let digest = random.digest()
    let address = random.address()
    #expect(try roundTripped(peer) == peer)
    #expect(try roundTripped(digest) == digest)
    #expect(try roundTripped(address) == address)
  }

  @Test func anAddressOfBytesMaxIsAccepted() throws {
    let address = PeerAddress(String(repeating: "a", count: PeerAddress.bytesMax))
    #expect(try roundTripped(address) == address)
  }

  @Test func anAddressOneByteOverBytesMaxIsRejected() {
    let bytes = lengthBytes(PeerAddress.bytesMax + 1) + Array(repeating: 0x61, count: 256)
    #expect(
      decodeResult(PeerAddress.self, bytes).failure
        == .lengthTooLarge(field: "PeerAddress.text", length: 256, maximum: 255))
  }

  @Test func anAddressThatIsNotUTF8IsRejected() {
    #expect(
      decodeResult(PeerAddress.self, hex("01 00 00 00", "FF")).failure
        == .invalidValue(field: "PeerAddress.text", reason: "not valid UTF-8"))
  }

  @Test func aTruncatedPeerIDIsTruncated() {
    #expect(
      decodeResult(PeerID.self, Array(hex(samplePeerHex).prefix(30))).failure
        == .truncated(needed: 8, available: 6))
  }
}
