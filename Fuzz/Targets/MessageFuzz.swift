import Identity
import Wire

/// Fuzz target `message`: `Message(wireBytes:)`, the decoder of every protocol message (the
/// payload of an `Envelope`, and of a node's `protocolMessage` frame).
///
/// Any input must decode or throw a `WireError`; an input that decodes must re-encode to itself.
/// The trace text that logs print of a received round message is built too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = fuzzInput(start, count)
  do throws(WireError) {
    let message = try Message(wireBytes: input)
    requireCanonical(message.wireBytes, input, "Message")
    if case .round(let roundMessage) = message { _ = roundMessage.traceDescription }
  } catch {
    _ = error.description
  }
  return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initializeMessageFuzz(
  _ argumentCount: UnsafeMutableRawPointer?, _ arguments: UnsafeMutableRawPointer?
) -> CInt {
  writeSeedsIfAsked(messageSeeds, testOneInput: fuzzMessage) {
    (try? Message(wireBytes: $0)) != nil
  }
  return 0
}

/// One message of every case, with small but non-trivial fields (an `appendEntries` carries one
/// command of every case), as `<family>-<case>`.
func messageSeeds() -> [Seed] {
  let peers = (1...4).map { PeerID(simulatedIndex: $0) }
  let digest = Digest(words: (0x0123_4567_89AB_CDEF, 2, 3, 0xFFFF_FFFF_FFFF_FFFF))
  let record = MemberRecord(
    peer: peers[1], address: PeerAddress("127.0.0.1:7001"),
    capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
    joinedAtMilliseconds: 1_700_000_000_000)
  let gossip = [
    MemberUpdate(peer: peers[1], status: .alive, incarnation: 1, record: record),
    MemberUpdate(peer: peers[2], status: .suspect, incarnation: 7),
  ]
  let start = RoundStart(
    round: 3, baseModel: digest, deadlineMilliseconds: 1_700_000_060_000,
    assignments: [
      TrainerAssignment(trainer: peers[2], aggregator: peers[0]),
      TrainerAssignment(trainer: peers[3], aggregator: peers[1]),
    ], seedCommitment: Digest.combinationSeedCommitment(round: 3, seed: 0x5EED))
  let commands: [CouncilCommand] = [
    .noOperation,
    .assignRoles(RoleAssignment(epoch: 1, coordinator: peers[0], aggregators: [peers[1]])),
    .startRound(start),
    .commitRound(
      RoundCommit(
        round: 3, model: digest, aggregators: [peers[1]], trainers: [peers[2], peers[3]],
        judgements: [TrainerJudgement(trainer: peers[2], score: -0.5)])
    ),
    .ban(peer: peers[3], reason: "sent non-finite values"),
    .addCouncilMember(peers[2]),
    .removeCouncilMember(peers[1]),
    .retireCouncilMember(peers[0]),
  ]
  // The codec does not check signatures: fixed bytes stand in for a key and a signature.
  let attestation = Attestation(
    publicKey: PublicKey(bytes: [UInt8](repeating: 0x5A, count: 32))!, nonce: 0x1_0000,
    signature: Signature(bytes: [UInt8](repeating: 0xA5, count: 64))!)
  // Every other entry signed, so both sides of the presence byte are seeded.
  let entries = commands.enumerated().map {
    LogEntry(
      term: 2, index: UInt64($0.offset + 1), command: $0.element,
      attestation: $0.offset % 2 == 0 ? attestation : nil)
  }
  let values: [Float] = [0, -0.0, 1.5, -2.25, .infinity, .leastNonzeroMagnitude]
  let receipts = [
    UpdateReceipt(weight: 600, valuesDigest: digest, attestation: attestation),
    UpdateReceipt(weight: 600, valuesDigest: digest, attestation: attestation),
  ]
  let messages: [(String, Message)] = [
    ("membership-ping", .membership(.ping(sequence: 1, gossip: gossip))),
    ("membership-ack", .membership(.ack(sequence: 1, target: peers[1], gossip: []))),
    (
      "membership-pingRequest",
      .membership(.pingRequest(sequence: 2, target: peers[2], gossip: gossip))
    ),
    ("membership-join", .membership(.join(record))),
    ("membership-joinAccepted", .membership(.joinAccepted(members: [record, record]))),
    (
      "council-requestVote",
      .council(
        .requestVote(
          term: 2, candidate: peers[0], lastLogIndex: 8, lastLogTerm: 1, isLeadershipTransfer: true)
      )
    ),
    ("council-vote", .council(.vote(term: 3, granted: true))),
    (
      "council-appendEntries",
      .council(
        .appendEntries(
          term: 2, leader: peers[0], previousLogIndex: 0, previousLogTerm: 0, entries: entries,
          leaderCommit: 4))
    ),
    ("council-appendResult", .council(.appendResult(term: 2, success: false, matchIndex: 5))),
    ("council-timeoutNow", .council(.timeoutNow(term: 2))),
    (
      "council-requestPreVote",
      .council(.requestPreVote(term: 3, candidate: peers[1], lastLogIndex: 8, lastLogTerm: 2))
    ),
    ("council-preVote", .council(.preVote(term: 3, granted: false))),
    ("round-aggregate", .round(.aggregate(start))),
    (
      "round-train",
      .round(.train(round: 3, baseModel: digest, deadlineMilliseconds: 1_700_000_060_000))
    ),
    ("round-update", .round(.update(round: 3, weight: 600, values: values))),
    (
      "round-partial",
      .round(
        .partial(
          round: 3, weight: 1_200, trainers: [peers[2], peers[3]], values: values,
          scores: [0.75, -1]))
    ),
    ("round-model", .round(.model(round: 3, digest: digest, values: values))),
    ("round-requestModel", .round(.requestModel(digest: digest))),
    ("round-modelStored", .round(.modelStored(digest: digest))),
    (
      "round-signedUpdate",
      .round(.signedUpdate(round: 3, weight: 600, values: values, attestation: attestation))
    ),
    (
      "round-signedPartial",
      .round(
        .signedPartial(
          round: 3, weight: 1_200, receipts: receipts, values: values, attestation: attestation))
    ),
    (
      "round-combination",
      .round(
        .combination(
          round: 3, digest: digest, aggregators: [peers[0], peers[1]], partials: [digest, digest],
          seed: 0x5EED, outerState: values))
    ),
    ("round-requestOuterState", .round(.requestOuterState(model: digest))),
    ("round-outerState", .round(.outerState(model: digest, values: values))),
    ("round-requestPartial", .round(.requestPartial(round: 3, aggregator: peers[1]))),
    ("round-auditRequest", .round(.auditRequest(round: 3))),
    (
      "round-auditResponse",
      .round(
        .auditResponse(
          round: 3,
          updates: [AuditedUpdate(weight: 600, values: values, attestation: attestation)]))
    ),
    (
      "round-relayedPartial",
      .round(
        .relayedPartial(
          round: 3, weight: 1_200, receipts: receipts, values: values, attestation: attestation))
    ),
  ]
  return messages.map { Seed(name: $0.0, bytes: $0.1.wireBytes) }
}
