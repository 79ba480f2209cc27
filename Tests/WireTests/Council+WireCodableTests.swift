import Identity
import Testing

@testable import Wire

@Suite struct CouncilWireCodableTests {
  static let u64One = "01 00 00 00 00 00 00 00"
  static let u64Two = "02 00 00 00 00 00 00 00"

  @Test(arguments: roundTripSeeds)
  func everyCouncilMessageAndCommandCaseRoundTrips(seed: UInt64) throws {
    var random = RandomValues(seed: seed)
    for message in random.councilMessages() {
      #expect(try roundTripped(message) == message)
    }
    for command in random.councilCommands() {
      #expect(try roundTripped(command) == command)
    }
  }

  @Test func theGeneratorCoversEveryCommand() {
    var random = RandomValues(seed: 1)
    #expect(Set(random.councilCommands().map(caseName)).count == 8)
  }

  @Test func requestVoteGolden() {
    let message = CouncilMessage.requestVote(
      term: 2, candidate: samplePeer, lastLogIndex: 9, lastLogTerm: 1, isLeadershipTransfer: true)
    #expect(
      message.wireBytes
        == hex("00", Self.u64Two, samplePeerHex, "09 00 00 00 00 00 00 00", Self.u64One, "01"))
  }

  @Test func timeoutNowGolden() {
    #expect(CouncilMessage.timeoutNow(term: 2).wireBytes == hex("04", Self.u64Two))
  }

  @Test func voteGolden() {
    #expect(
      CouncilMessage.vote(term: 3, granted: true).wireBytes
        == hex("01", "03 00 00 00 00 00 00 00", "01"))
  }

  @Test func appendEntriesGolden() {
    let entry = LogEntry(term: 1, index: 5, command: .ban(peer: samplePeer, reason: "spam"))
    let message = CouncilMessage.appendEntries(
      term: 1, leader: samplePeer, previousLogIndex: 4, previousLogTerm: 1, entries: [entry],
      leaderCommit: 4)
    #expect(
      message.wireBytes
        == hex(
          "02", Self.u64One, samplePeerHex, "04 00 00 00 00 00 00 00", Self.u64One,
          "01 00 00 00" /* one entry */, Self.u64One, "05 00 00 00 00 00 00 00",
          "04" /* ban */, samplePeerHex, "04 00 00 00", "73 70 61 6D" /* "spam" */,
          "00" /* no attestation */, "04 00 00 00 00 00 00 00" /* leaderCommit */))
  }

  @Test func signedLogEntryGolden() throws {
    let attestation = Attestation(
      publicKey: try #require(PublicKey(bytes: [UInt8](repeating: 0x11, count: 32))),
      nonce: 0x0102,
      signature: try #require(Signature(bytes: [UInt8](repeating: 0x22, count: 64))))
    let entry = LogEntry(term: 1, index: 5, command: .noOperation, attestation: attestation)
    #expect(
      entry.wireBytes
        == hex(
          Self.u64One, "05 00 00 00 00 00 00 00", "00" /* noOperation */, "01" /* attested */,
          String(repeating: "11 ", count: 32), "02 01 00 00 00 00 00 00" /* nonce */,
          String(repeating: "22 ", count: 64)))
    #expect(try LogEntry(wireBytes: entry.wireBytes[...]) == entry)
  }

  @Test func appendResultGolden() {
    #expect(
      CouncilMessage.appendResult(term: 1, success: false, matchIndex: 0x10).wireBytes
        == hex("03", Self.u64One, "00", "10 00 00 00 00 00 00 00"))
  }

  @Test func commandGoldens() {
    let assignment = RoleAssignment(epoch: 1, coordinator: samplePeer, aggregators: [samplePeer])
    let withAbsent = RoleAssignment(
      epoch: 1, coordinator: samplePeer, aggregators: [], absent: [samplePeer])
    let start = RoundStart(
      round: 2, baseModel: sampleDigest, deadlineMilliseconds: 1_000,
      assignments: [TrainerAssignment(trainer: samplePeer, aggregator: samplePeer)])
    let commit = RoundCommit(
      round: 2, model: sampleDigest, aggregators: [], trainers: [samplePeer], sampledTrainers: 3,
      population: 10)
    #expect(CouncilCommand.noOperation.wireBytes == hex("00"))
    #expect(
      CouncilCommand.assignRoles(assignment).wireBytes
        == hex("01", Self.u64One, samplePeerHex, "01 00 00 00", samplePeerHex, "00 00 00 00"))
    #expect(
      CouncilCommand.assignRoles(withAbsent).wireBytes
        == hex("01", Self.u64One, samplePeerHex, "00 00 00 00", "01 00 00 00", samplePeerHex))
    #expect(
      CouncilCommand.startRound(start).wireBytes
        == hex(
          "02", Self.u64Two, sampleDigestHex, "E8 03 00 00 00 00 00 00", "01 00 00 00",
          samplePeerHex, samplePeerHex, String(repeating: "00", count: 32)))
    #expect(
      CouncilCommand.commitRound(commit).wireBytes
        == hex(
          "03", Self.u64Two, sampleDigestHex, "00 00 00 00", "01 00 00 00", samplePeerHex,
          "03 00 00 00", "0A 00 00 00", "00 00 00 00", String(repeating: "00", count: 32)))
    // A judgement: the trainer, then the score as its float bits (-0.5: 0xBF000000).
    let judged = RoundCommit(
      round: 2, model: sampleDigest, aggregators: [], trainers: [], sampledTrainers: 3,
      population: 10, judgements: [TrainerJudgement(trainer: samplePeer, score: -0.5)])
    #expect(
      CouncilCommand.commitRound(judged).wireBytes
        == hex(
          "03", Self.u64Two, sampleDigestHex, "00 00 00 00", "00 00 00 00", "03 00 00 00",
          "0A 00 00 00", "01 00 00 00", samplePeerHex, "00 00 00 BF",
          String(repeating: "00", count: 32)))
    #expect(CouncilCommand.addCouncilMember(samplePeer).wireBytes == hex("05", samplePeerHex))
    #expect(CouncilCommand.removeCouncilMember(samplePeer).wireBytes == hex("06", samplePeerHex))
    #expect(CouncilCommand.retireCouncilMember(samplePeer).wireBytes == hex("07", samplePeerHex))
  }

  @Test func anAppendOfTheMaximumEntriesIsAccepted() throws {
    let entries = (0..<UInt64(CouncilLimits.entriesPerAppendMax)).map {
      LogEntry(term: 1, index: $0, command: .noOperation)
    }
    let message = CouncilMessage.appendEntries(
      term: 1, leader: samplePeer, previousLogIndex: 0, previousLogTerm: 0, entries: entries,
      leaderCommit: 0)
    #expect(try roundTripped(message) == message)
  }

  @Test func anAppendOfOneEntryOverTheMaximumIsRejected() {
    let bytes =
      hex("02", Self.u64One, samplePeerHex, Self.u64One, Self.u64One) + lengthBytes(65)
    #expect(
      decodeResult(CouncilMessage.self, bytes).failure
        == .lengthTooLarge(field: "CouncilMessage.appendEntries.entries", length: 65, maximum: 64))
  }

  @Test func theMaximumAggregatorsAreAcceptedInRolesAndCommits() throws {
    let aggregators = Array(repeating: samplePeer, count: CouncilLimits.aggregatorsMax)
    let assignment = RoleAssignment(epoch: 1, coordinator: samplePeer, aggregators: aggregators)
    let commit = RoundCommit(round: 1, model: .zero, aggregators: aggregators, trainers: [])
    #expect(try roundTripped(assignment) == assignment)
    #expect(try roundTripped(commit) == commit)
  }

  @Test func oneAggregatorOverTheMaximumIsRejectedInRolesAndCommits() {
    let roles = hex(Self.u64One, samplePeerHex) + lengthBytes(257)
    let commit = hex(Self.u64One, sampleDigestHex) + lengthBytes(257)
    #expect(
      decodeResult(RoleAssignment.self, roles).failure
        == .lengthTooLarge(field: "RoleAssignment.aggregators", length: 257, maximum: 256))
    #expect(
      decodeResult(RoundCommit.self, commit).failure
        == .lengthTooLarge(field: "RoundCommit.aggregators", length: 257, maximum: 256))
  }

  @Test func theMaximumAssignmentsPerRoundAreAccepted() throws {
    let start = RoundStart(
      round: 1, baseModel: .zero, deadlineMilliseconds: 1,
      assignments: Array(
        repeating: TrainerAssignment(trainer: samplePeer, aggregator: samplePeer),
        count: CouncilLimits.assignmentsPerRoundMax))
    #expect(try roundTripped(start) == start)
  }

  @Test func oneAssignmentOverTheMaximumIsRejected() {
    let bytes = hex(Self.u64One, sampleDigestHex, Self.u64One) + lengthBytes(100_001)
    #expect(
      decodeResult(RoundStart.self, bytes).failure
        == .lengthTooLarge(field: "RoundStart.assignments", length: 100_001, maximum: 100_000))
  }

  @Test func theMaximumTrainersPerCommitAreAcceptedAndOneMoreIsNot() throws {
    let commit = RoundCommit(
      round: 1, model: .zero, aggregators: [],
      trainers: Array(repeating: samplePeer, count: CouncilLimits.trainersPerCommitMax))
    #expect(try roundTripped(commit) == commit)
    let bytes = hex(Self.u64One, sampleDigestHex, "00 00 00 00") + lengthBytes(100_001)
    #expect(
      decodeResult(RoundCommit.self, bytes).failure
        == .lengthTooLarge(field: "RoundCommit.trainers", length: 100_001, maximum: 100_000))
  }

  @Test func aBanReasonOfTheMaximumBytesIsAccepted() throws {
    // 128 two-byte scalars: the bound counts UTF-8 bytes, not characters.
    let command = CouncilCommand.ban(
      peer: samplePeer, reason: String(repeating: "é", count: CouncilLimits.banReasonBytesMax / 2))
    #expect(try roundTripped(command) == command)
  }

  @Test func aBanReasonOneByteOverTheMaximumIsRejected() {
    let bytes = hex("04", samplePeerHex) + lengthBytes(257) + Array(repeating: 0x61, count: 257)
    #expect(
      decodeResult(CouncilCommand.self, bytes).failure
        == .lengthTooLarge(field: "CouncilCommand.ban.reason", length: 257, maximum: 256))
  }

  @Test func unknownTagsAreRejected() {
    #expect(
      decodeResult(CouncilMessage.self, hex("07")).failure
        == .unknownTag(type: "CouncilMessage", tag: 7))
    #expect(
      decodeResult(CouncilCommand.self, hex("08")).failure
        == .unknownTag(type: "CouncilCommand", tag: 8))
  }

  @Test func aVoteWhoseGrantedByteIsNotABooleanIsRejected() {
    #expect(
      decodeResult(CouncilMessage.self, hex("01", Self.u64One, "FF")).failure
        == .invalidValue(
          field: "CouncilMessage.vote.granted", reason: "boolean byte 255 is not 0 or 1"))
  }
}
