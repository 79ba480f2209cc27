import Testing

@testable import Wire

@Suite struct RoundsWireCodableTests {
  static let u64One = "01 00 00 00 00 00 00 00"

  @Test(arguments: roundTripSeeds)
  func everyRoundCaseRoundTrips(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    for message in random.roundMessages() {
      #expect(try roundTripped(message) == message)
    }
  }

  @Test func aggregateGolden() {
    let start = RoundStart(
      round: 2, baseModel: sampleDigest, deadlineMilliseconds: 1_000, assignments: [],
      seedCommitment: sampleDigest)
    #expect(
      RoundMessage.aggregate(start).wireBytes
        == hex(
          "00", "02 00 00 00 00 00 00 00", sampleDigestHex, "E8 03 00 00 00 00 00 00",
          "00 00 00 00", sampleDigestHex))
  }

  @Test func trainGolden() {
    #expect(
      RoundMessage.train(round: 3, baseModel: sampleDigest, deadlineMilliseconds: 0x10).wireBytes
        == hex("01", "03 00 00 00 00 00 00 00", sampleDigestHex, "10 00 00 00 00 00 00 00"))
  }

  @Test func updateGolden() {
    #expect(
      RoundMessage.update(round: 1, weight: 0x20, values: [1, -2.5]).wireBytes
        == hex(
          "02", Self.u64One, "20 00 00 00" /* weight */, "02 00 00 00", "00 00 80 3F",
          "00 00 20 C0"))
  }

  @Test func partialGolden() {
    let message = RoundMessage.partial(
      round: 1, weight: 5, trainers: [samplePeer], values: [0.5], scores: [-0.5])
    #expect(
      message.wireBytes
        == hex(
          "03", Self.u64One, "05 00 00 00 00 00 00 00", "01 00 00 00", samplePeerHex,
          "01 00 00 00", "00 00 00 3F", "01 00 00 00", "00 00 00 BF"))
  }

  /// Scores are one per trainer, or none.
  @Test func aPartialWithAScoreCountOtherThanItsTrainersIsRefused() {
    let bytes = RoundMessage.partial(
      round: 1, weight: 5, trainers: [samplePeer, samplePeer], values: [0.5], scores: [0.1, 0.2]
    ).wireBytes
    var tampered = bytes
    // The score count (the 4 bytes before the two scores) claims 1.
    tampered[tampered.count - 12] = 1
    tampered.removeLast(4)
    #expect(
      decodeResult(RoundMessage.self, tampered).failure
        == .invalidValue(field: "RoundMessage.partial.scores", reason: "1 scores for 2 trainers"))
  }

  @Test func modelGolden() {
    #expect(
      RoundMessage.model(round: 1, digest: sampleDigest, values: []).wireBytes
        == hex("04", Self.u64One, sampleDigestHex, "00 00 00 00"))
  }

  @Test func modelStoredGolden() {
    #expect(RoundMessage.modelStored(digest: sampleDigest).wireBytes == hex("06", sampleDigestHex))
  }

  @Test func requestModelGolden() {
    #expect(
      RoundMessage.requestModel(digest: sampleDigest).wireBytes == hex("05", sampleDigestHex))
  }

  /// The outer state's request, and the state: the model it follows, then its values
  /// (1.0 is 0x3F800000); a combination note ends with the state after its seed.
  @Test func outerStateGoldens() {
    #expect(
      RoundMessage.requestOuterState(model: sampleDigest).wireBytes
        == hex("0E", sampleDigestHex))
    #expect(
      RoundMessage.outerState(model: sampleDigest, values: [1]).wireBytes
        == hex("0F", sampleDigestHex, "01 00 00 00", "00 00 80 3F"))
    #expect(
      RoundMessage.combination(
        round: 1, digest: sampleDigest, aggregators: [], partials: [], seed: 2, outerState: [1]
      ).wireBytes
        == hex(
          "09", "01 00 00 00 00 00 00 00", sampleDigestHex, "00 00 00 00", "00 00 00 00",
          "02 00 00 00 00 00 00 00", "01 00 00 00", "00 00 80 3F"))
  }

  /// The prefix of each float-carrying case up to its values' length field.
  static let valuesPrefixes: [(field: String, prefix: [UInt8])] = [
    ("RoundMessage.update.values", hex("02", u64One, "01 00 00 00")),
    ("RoundMessage.partial.values", hex("03", u64One, u64One, "00 00 00 00")),
    ("RoundMessage.model.values", hex("04", u64One, sampleDigestHex)),
  ]

  @Test(arguments: 0..<3)
  func valuesMaxPassesTheLengthCheckAndIsThenBoundedByTheBytesPresent(index: Int) {
    // A crafted length at the bound: accepted by the maximum check, then truncated because the
    // 64 MiB are not there (the full-size case is `FrameTests`' largest model test).
    let (_, prefix) = Self.valuesPrefixes[index]
    #expect(
      decodeResult(RoundMessage.self, prefix + lengthBytes(RoundLimits.valuesMax)).failure
        == .truncated(needed: RoundLimits.valuesMax * 4, available: 0))
  }

  @Test(arguments: 0..<3)
  func oneValueOverValuesMaxIsRejected(index: Int) {
    let (field, prefix) = Self.valuesPrefixes[index]
    #expect(
      decodeResult(RoundMessage.self, prefix + lengthBytes(RoundLimits.valuesMax + 1)).failure
        == .lengthTooLarge(
          field: field, length: RoundLimits.valuesMax + 1, maximum: RoundLimits.valuesMax))
  }

  @Test func theMaximumTrainersPerPartialAreAccepted() throws {
    let message = RoundMessage.partial(
      round: 1, weight: 1,
      trainers: Array(repeating: samplePeer, count: RoundLimits.trainersPerPartialMax), values: [])
    #expect(try roundTripped(message) == message)
  }

  @Test func oneTrainerOverTheMaximumPerPartialIsRejected() {
    let bytes = hex("03", Self.u64One, Self.u64One) + lengthBytes(100_001)
    #expect(
      decodeResult(RoundMessage.self, bytes).failure
        == .lengthTooLarge(
          field: "RoundMessage.partial.trainers", length: 100_001, maximum: 100_000))
  }

  @Test func nanValuesKeepTheirBitPatterns() throws {
    let values = [Float(bitPattern: 0x7FC0_0001), Float(bitPattern: 0xFFFF_FFFF), .nan]
    let decoded = try roundTripped(RoundMessage.update(round: 1, weight: 1, values: values))
    guard case .update(_, _, let decodedValues) = decoded else {
      Issue.record("decoded \(decoded)")
      return
    }
    #expect(decodedValues.map(\.bitPattern) == values.map(\.bitPattern))
  }

  @Test func anUnknownTagIsRejected() {
    #expect(
      decodeResult(RoundMessage.self, hex("10")).failure
        == .unknownTag(type: "RoundMessage", tag: 16))
  }
}
