import Testing

@testable import Wire

@Suite struct WireCodableTests {
  @Test func wireBytesDecodeBackToTheValue() throws {
    #expect(try PeerID(wireBytes: samplePeer.wireBytes[...]) == samplePeer)
  }

  @Test func decodingFromWireBytesRejectsLeftoverBytes() {
    #expect(throws: WireError.trailingBytes(count: 1)) {
      try PeerID(wireBytes: (samplePeer.wireBytes + [0])[...])
    }
  }

  /// `encodedBytesMin` bounds allocation; if it were larger than a real encoding, valid
  /// messages would be rejected as truncated. Each value here is the smallest of its type.
  @Test func encodedBytesMinIsTheSizeOfTheSmallestValueOfEachType() {
    let zero = PeerID(words: (0, 0, 0, 0))
    let capacity = Capacity(samplesPerSecond: 0, bandwidthBytesPerSecond: 0)
    let record = MemberRecord(
      peer: zero, address: PeerAddress(""), capacity: capacity, joinedAtMilliseconds: 0)
    let start = RoundStart(round: 0, baseModel: .zero, deadlineMilliseconds: 0, assignments: [])
    func check<Value: WireCodable>(
      _ value: Value, sourceLocation: SourceLocation = #_sourceLocation
    ) {
      #expect(
        value.wireBytes.count == Value.encodedBytesMin, "\(Value.self)",
        sourceLocation: sourceLocation)
    }
    check(zero)
    check(Digest.zero)
    check(PeerAddress(""))
    check(capacity)
    check(record)
    check(MemberStatus.alive)
    check(MemberUpdate(peer: zero, status: .alive, incarnation: 0))
    check(MembershipMessage.joinAccepted(members: []))
    check(RoleAssignment(epoch: 0, coordinator: zero, aggregators: []))
    check(TrainerAssignment(trainer: zero, aggregator: zero))
    check(start)
    check(RoundCommit(round: 0, model: .zero, aggregators: [], trainers: []))
    check(CouncilCommand.noOperation)
    check(LogEntry(term: 0, index: 0, command: .noOperation))
    check(CouncilMessage.timeoutNow(term: 0))
    check(RoundMessage.update(round: 0, weight: 0, values: []))
    check(Message.membership(.joinAccepted(members: [])))
    check(Envelope(sender: zero, receiver: zero, message: .membership(.joinAccepted(members: []))))
  }

  @Test(arguments: roundTripSeeds)
  func noRandomMessageEncodesToFewerThanItsTypesMinimum(seed: UInt64) {
    var random = RandomValues(seed: seed)
    for envelope in random.envelopes() {
      #expect(envelope.message.wireBytes.count >= Message.encodedBytesMin)
      #expect(envelope.wireBytes.count >= Envelope.encodedBytesMin)
    }
  }
}
