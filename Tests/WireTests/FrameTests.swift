import Testing

@testable import Wire

@Suite struct FrameTests {
  static let vote = Envelope(
    sender: samplePeer, receiver: PeerID(words: (0, 0, 0, 0)),
    message: .council(.vote(term: 3, granted: false)))
  static let votePayloadHex = [
    samplePeerHex, String(repeating: "00", count: 32), "01 01", "03 00 00 00 00 00 00 00", "00",
  ].joined()

  @Test func frameGolden() {
    #expect(
      Frame.encode(Self.vote)
        == hex(
          "53 4C" /* "SL" */, "01 00" /* version 1 */, "4B 00 00 00" /* 75 payload bytes */,
          Self.votePayloadHex))
  }

  @Test(arguments: roundTripSeeds)
  func everyEnvelopeRoundTripsThroughAFrame(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    for envelope in random.envelopes() {
      #expect(try Frame.decode(Frame.encode(envelope)) == envelope)
    }
  }

  @Test func theLargestModelFitsInOneFrame() throws {
    // 16 Mi floats (64 MiB): the bound on values must fit the bound on payloads.
    var values = [Float](repeating: 0.25, count: RoundLimits.valuesMax)
    values[values.count - 1] = -1
    let envelope = Envelope(
      sender: samplePeer, receiver: samplePeer,
      message: .round(.model(round: 1, digest: sampleDigest, values: values)))
    let bytes = Frame.encode(envelope)
    #expect(bytes.count <= Frame.bytesMax)
    #expect(try Frame.decode(bytes) == envelope)
  }

  @Test func aFrameNotStartingWithTheMagicIsRejected() {
    #expect(throws: WireError.badMagic) {
      try Frame.decode(hex("53 4D 01 00 00 00 00 00"))
    }
  }

  @Test func anotherVersionIsRejected() {
    var bytes = Frame.encode(Self.vote)
    bytes[2] = 2
    #expect(throws: WireError.unsupportedVersion(found: 2)) { try Frame.decode(bytes) }
  }

  @Test func aPayloadLengthOverTheMaximumIsRejectedFromTheHeaderAlone() {
    let header = hex("53 4C 01 00") + lengthBytes(Frame.payloadBytesMax + 1)
    #expect(
      throws: WireError.lengthTooLarge(
        field: "Frame.payload", length: Frame.payloadBytesMax + 1, maximum: Frame.payloadBytesMax)
    ) { try Frame.decode(header) }
  }

  @Test func aPayloadLengthAtTheMaximumPassesTheHeaderCheck() {
    let header = hex("53 4C 01 00") + lengthBytes(Frame.payloadBytesMax)
    #expect(throws: WireError.truncated(needed: Frame.payloadBytesMax, available: 0)) {
      try Frame.decode(header)
    }
  }

  @Test func aShortHeaderIsTruncated() {
    #expect(throws: WireError.truncated(needed: 4, available: 2)) {
      try Frame.decode(hex("53 4C 01 00 4B 00"))
    }
  }

  @Test func bytesAfterTheFrameAreRejected() {
    #expect(throws: WireError.trailingBytes(count: 1)) {
      try Frame.decode(Frame.encode(Self.vote) + [0])
    }
  }

  @Test func aPayloadLongerThanItsEnvelopeIsRejected() {
    let bytes = hex("53 4C 01 00", "4C 00 00 00", Self.votePayloadHex, "00")
    #expect(throws: WireError.trailingBytes(count: 1)) { try Frame.decode(bytes) }
  }

  @Test func aPayloadShorterThanItsEnvelopeIsTruncated() {
    let bytes = hex("53 4C 01 00", "4A 00 00 00") + hex(Self.votePayloadHex).dropLast()
    #expect(throws: WireError.truncated(needed: 1, available: 0)) { try Frame.decode(bytes) }
  }

  @Test func decodingASliceReadsOnlyThatSlice() throws {
    let bytes = [0xEE] + Frame.encode(Self.vote) + [0xEE]
    #expect(try Frame.decode(bytes[1..<bytes.count - 1]) == Self.vote)
  }
}
