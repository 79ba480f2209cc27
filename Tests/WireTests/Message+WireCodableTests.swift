import Testing

@testable import Wire

@Suite struct MessageWireCodableTests {
  @Test func theGeneratorCoversEveryMessageCase() {
    var random = RandomValues(seed: 1)
    #expect(Set(random.messages().map(caseName)).count == 5 + 7 + 16)
  }

  @Test(arguments: roundTripSeeds)
  func everyEnvelopeRoundTrips(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    for envelope in random.envelopes() {
      #expect(try roundTripped(envelope) == envelope)
    }
  }

  @Test func eachFamilyIsATagThenItsMessage() {
    let vote = CouncilMessage.vote(term: 3, granted: true)
    let request = RoundMessage.requestModel(digest: sampleDigest)
    let ping = MembershipMessage.ping(sequence: 1, gossip: [])
    #expect(Message.membership(ping).wireBytes == [0] + ping.wireBytes)
    #expect(Message.council(vote).wireBytes == [1] + vote.wireBytes)
    #expect(Message.round(request).wireBytes == [2] + request.wireBytes)
  }

  @Test func envelopeGolden() {
    let envelope = Envelope(
      sender: samplePeer, receiver: PeerID(words: (0, 0, 0, 0)),
      message: .council(.vote(term: 3, granted: false)))
    #expect(
      envelope.wireBytes
        == hex(
          samplePeerHex, String(repeating: "00", count: 32), "01" /* council */, "01" /* vote */,
          "03 00 00 00 00 00 00 00", "00"))
  }

  @Test func anUnknownFamilyTagIsRejected() {
    #expect(decodeResult(Message.self, hex("03")).failure == .unknownTag(type: "Message", tag: 3))
  }

  @Test func anEnvelopeWithBytesAfterTheMessageIsRejected() {
    let envelope = Envelope(
      sender: samplePeer, receiver: samplePeer, message: .round(.requestModel(digest: .zero)))
    #expect(
      decodeResult(Envelope.self, envelope.wireBytes + [0, 0]).failure == .trailingBytes(count: 2))
  }
}
