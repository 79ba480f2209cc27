import Testing

@testable import Wire

@Suite struct MembershipWireCodableTests {
  static let record = MemberRecord(
    peer: samplePeer, address: PeerAddress("h:1"),
    capacity: Capacity(samplesPerSecond: 1, bandwidthBytesPerSecond: 2), joinedAtMilliseconds: 5)
  static let recordHex = [
    samplePeerHex, "03 00 00 00  68 3A 31" /* "h:1" */, "00 00 80 3F" /* 1.0 */,
    "00 00 00 40" /* 2.0 */, "05 00 00 00 00 00 00 00",
  ].joined()

  @Test(arguments: roundTripSeeds)
  func everyMembershipCaseRoundTrips(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    for message in random.membershipMessages() {
      #expect(try roundTripped(message) == message)
    }
  }

  @Test func pingGolden() {
    let message = MembershipMessage.ping(
      sequence: 7, gossip: [MemberUpdate(peer: samplePeer, status: .suspect, incarnation: 3)])
    #expect(
      message.wireBytes
        == hex(
          "00" /* ping */, "07 00 00 00 00 00 00 00", "01 00 00 00" /* one rumour */,
          samplePeerHex, "01" /* suspect */, "03 00 00 00 00 00 00 00", "00" /* no record */))
  }

  @Test func ackGolden() {
    let message = MembershipMessage.ack(sequence: 0x0102, target: samplePeer, gossip: [])
    #expect(
      message.wireBytes
        == hex("01" /* ack */, "02 01 00 00 00 00 00 00", samplePeerHex, "00 00 00 00"))
  }

  @Test func pingRequestGolden() {
    let update = MemberUpdate(peer: samplePeer, status: .alive, incarnation: 0, record: Self.record)
    let message = MembershipMessage.pingRequest(sequence: 1, target: samplePeer, gossip: [update])
    #expect(
      message.wireBytes
        == hex(
          "02" /* pingRequest */, "01 00 00 00 00 00 00 00", samplePeerHex, "01 00 00 00",
          samplePeerHex, "00" /* alive */, "00 00 00 00 00 00 00 00", "01" /* record */,
          Self.recordHex))
  }

  @Test func joinGolden() {
    #expect(MembershipMessage.join(Self.record).wireBytes == hex("03", Self.recordHex))
  }

  @Test func joinAcceptedGolden() {
    #expect(
      MembershipMessage.joinAccepted(members: [Self.record]).wireBytes
        == hex("04", "01 00 00 00", Self.recordHex))
  }

  @Test func gossipOfTheMaximumSizeIsAccepted() throws {
    let gossip = Array(
      repeating: MemberUpdate(peer: samplePeer, status: .dead, incarnation: 9),
      count: MembershipLimits.gossipPerMessageMax)
    let message = MembershipMessage.ping(sequence: 1, gossip: gossip)
    #expect(try roundTripped(message) == message)
  }

  @Test func gossipOneOverTheMaximumIsRejected() {
    let bytes = hex("00", "01 00 00 00 00 00 00 00") + lengthBytes(33)
    #expect(
      decodeResult(MembershipMessage.self, bytes).failure
        == .lengthTooLarge(field: "MembershipMessage.gossip", length: 33, maximum: 32))
  }

  @Test func aJoinSampleOfTheMaximumSizeIsAccepted() throws {
    let message = MembershipMessage.joinAccepted(
      members: Array(repeating: Self.record, count: MembershipLimits.joinSampleMax))
    #expect(try roundTripped(message) == message)
  }

  @Test func aJoinSampleOneOverTheMaximumIsRejected() {
    let bytes = hex("04") + lengthBytes(257)
    #expect(
      decodeResult(MembershipMessage.self, bytes).failure
        == .lengthTooLarge(
          field: "MembershipMessage.joinAccepted.members", length: 257, maximum: 256))
  }

  @Test func anUnknownTagIsRejected() {
    #expect(
      decodeResult(MembershipMessage.self, hex("05")).failure
        == .unknownTag(type: "MembershipMessage", tag: 5))
  }

  @Test func aStatusOutOfRangeIsRejected() {
    #expect(
      decodeResult(MemberStatus.self, hex("04")).failure
        == .invalidValue(field: "MemberStatus", reason: "raw value 4 is out of range"))
  }

  @Test func aRecordPresenceByteOtherThanZeroOrOneIsRejected() {
    let bytes = hex(samplePeerHex, "00", "00 00 00 00 00 00 00 00", "02")
    #expect(
      decodeResult(MemberUpdate.self, bytes).failure
        == .invalidValue(field: "MemberUpdate.record", reason: "boolean byte 2 is not 0 or 1"))
  }

  @Test(arguments: [Float.nan, .infinity, -.infinity, -1])
  func aCapacityThatIsNotAFiniteNonNegativeRateIsRejected(rate: Float) {
    let bytes = hex("00 00 80 3F") + withUnsafeBytes(of: rate.bitPattern.littleEndian, Array.init)
    #expect(
      decodeResult(Capacity.self, bytes).failure
        == .invalidValue(
          field: "Capacity.bandwidthBytesPerSecond",
          reason: "\(rate) is not a finite, non-negative rate"))
  }
}
