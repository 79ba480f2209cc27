import Identity

@testable import Wire

/// Random valid messages from a seed: every field within its bound, every enum case reachable.
/// Floats are any bit pattern except NaN (NaN != NaN would defeat equality checks; the NaN
/// case is tested separately by bit pattern).
struct RandomValues {
  var generator: SeededGenerator

  init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

  mutating func uint64() -> UInt64 {
    // Small values half the time, so that zero bytes and high bytes both appear.
    Bool.random(using: &generator)
      ? UInt64.random(in: 0...300, using: &generator) : generator.next()
  }

  mutating func count(_ upperBound: Int) -> Int {
    Int.random(in: 0...upperBound, using: &generator)
  }

  mutating func peer() -> PeerID {
    PeerID(words: (uint64(), uint64(), uint64(), uint64()))
  }

  mutating func digest() -> Digest {
    Digest(words: (uint64(), uint64(), uint64(), uint64()))
  }

  mutating func peers(_ upperBound: Int) -> [PeerID] { (0..<count(upperBound)).map { _ in peer() } }

  /// Text mixing one-, two-, three- and four-byte UTF-8 scalars, at most `bytesMax` bytes.
  mutating func text(bytesMax: Int) -> String {
    let alphabet: [Character] = ["a", "Z", "0", ":", ".", " ", "é", "ß", "€", "漢", "🦤", "\u{0}"]
    var text = ""
    for _ in 0..<count(12) {
      let character = alphabet.randomElement(using: &generator)!
      guard text.utf8.count + character.utf8.count <= bytesMax else { break }
      text.append(character)
    }
    return text
  }

  mutating func address() -> PeerAddress { PeerAddress(text(bytesMax: PeerAddress.bytesMax)) }

  mutating func rate() -> Float {
    Bool.random(using: &generator)
      ? Float.random(in: 0...1e9, using: &generator)
      : [0, .leastNonzeroMagnitude, .greatestFiniteMagnitude].randomElement(using: &generator)!
  }

  mutating func capacity() -> Capacity {
    Capacity(samplesPerSecond: rate(), bandwidthBytesPerSecond: rate())
  }

  mutating func memberRecord() -> MemberRecord {
    MemberRecord(
      peer: peer(), address: address(), capacity: capacity(), joinedAtMilliseconds: uint64())
  }

  mutating func memberUpdate() -> MemberUpdate {
    MemberUpdate(
      peer: peer(), status: MemberStatus.allCases.randomElement(using: &generator)!,
      incarnation: uint64(), record: Bool.random(using: &generator) ? memberRecord() : nil)
  }

  mutating func gossip() -> [MemberUpdate] { (0..<count(3)).map { _ in memberUpdate() } }

  /// Any finite or infinite float, subnormals and negative zero included; never NaN.
  mutating func value() -> Float {
    let value =
      Bool.random(using: &generator)
      ? Float.random(in: -4...4, using: &generator)
      : Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
    return value.isNaN ? -0.0 : value
  }

  mutating func values() -> [Float] { (0..<count(20)).map { _ in value() } }

  /// One message of each `MembershipMessage` case.
  mutating func membershipMessages() -> [MembershipMessage] {
    [
      .ping(sequence: uint64(), gossip: gossip()),
      .ack(sequence: uint64(), target: peer(), gossip: gossip()),
      .pingRequest(sequence: uint64(), target: peer(), gossip: gossip()),
      .join(memberRecord()),
      .joinAccepted(members: (0..<count(3)).map { _ in memberRecord() }),
    ]
  }

  mutating func roleAssignment() -> RoleAssignment {
    RoleAssignment(epoch: uint64(), coordinator: peer(), aggregators: peers(3))
  }

  mutating func roundStart() -> RoundStart {
    RoundStart(
      round: uint64(), baseModel: digest(), deadlineMilliseconds: uint64(),
      assignments: (0..<count(3)).map { _ in TrainerAssignment(trainer: peer(), aggregator: peer())
      }, seedCommitment: digest())
  }

  mutating func roundCommit() -> RoundCommit {
    RoundCommit(
      round: uint64(), model: digest(), aggregators: peers(3), trainers: peers(4),
      sampledTrainers: UInt32(truncatingIfNeeded: uint64()),
      population: UInt32(truncatingIfNeeded: uint64()),
      judgements: [peer(), peer()].map { TrainerJudgement(trainer: $0, score: score()) },
      outerState: digest())
  }

  /// A judgement score in [-1, 1].
  mutating func score() -> Float { Float(uint64() % 2_001) / 1_000 - 1 }

  /// One command of each `CouncilCommand` case.
  mutating func councilCommands() -> [CouncilCommand] {
    [
      .noOperation,
      .assignRoles(roleAssignment()),
      .startRound(roundStart()),
      .commitRound(roundCommit()),
      .ban(peer: peer(), reason: text(bytesMax: CouncilLimits.banReasonBytesMax)),
      .addCouncilMember(peer()),
      .removeCouncilMember(peer()),
      .retireCouncilMember(peer()),
    ]
  }

  mutating func logEntries() -> [LogEntry] {
    let commands = councilCommands()
    return (0..<count(4)).map { _ in
      LogEntry(term: uint64(), index: uint64(), command: commands.randomElement(using: &generator)!)
    }
  }

  /// One message of each `CouncilMessage` case, and an `appendEntries` carrying every command.
  mutating func councilMessages() -> [CouncilMessage] {
    [
      .requestVote(
        term: uint64(), candidate: peer(), lastLogIndex: uint64(), lastLogTerm: uint64(),
        isLeadershipTransfer: Bool.random(using: &generator)),
      .vote(term: uint64(), granted: Bool.random(using: &generator)),
      .appendEntries(
        term: uint64(), leader: peer(), previousLogIndex: uint64(), previousLogTerm: uint64(),
        entries: logEntries(), leaderCommit: uint64()),
      .appendEntries(
        term: uint64(), leader: peer(), previousLogIndex: uint64(), previousLogTerm: uint64(),
        entries: councilCommands().map { LogEntry(term: uint64(), index: uint64(), command: $0) },
        leaderCommit: uint64()),
      .appendResult(term: uint64(), success: Bool.random(using: &generator), matchIndex: uint64()),
      .timeoutNow(term: uint64()),
      .requestPreVote(
        term: uint64(), candidate: peer(), lastLogIndex: uint64(), lastLogTerm: uint64()),
      .preVote(term: uint64(), granted: Bool.random(using: &generator)),
    ]
  }

  /// One message of each `RoundMessage` case.
  mutating func roundMessages() -> [RoundMessage] {
    [
      .aggregate(roundStart()),
      .train(round: uint64(), baseModel: digest(), deadlineMilliseconds: uint64()),
      .update(round: uint64(), weight: UInt32(truncatingIfNeeded: uint64()), values: values()),
      .partial(round: uint64(), weight: uint64(), trainers: peers(3), values: values()),
      .partial(
        round: uint64(), weight: uint64(), trainers: [peer(), peer()], values: values(),
        scores: [score(), score()]),
      .model(round: uint64(), digest: digest(), values: values()),
      .requestModel(digest: digest()),
      .modelStored(digest: digest()),
      .signedUpdate(
        round: uint64(), weight: UInt32(truncatingIfNeeded: uint64()), values: values(),
        attestation: attestation()),
      .signedPartial(
        round: uint64(), weight: uint64(),
        receipts: receipts(3), values: values(), attestation: attestation()),
      .combination(
        round: uint64(), digest: digest(), aggregators: [peer(), peer()],
        partials: [digest(), digest()], seed: uint64(), outerState: values()),
      .requestPartial(round: uint64(), aggregator: peer()),
      .relayedPartial(
        round: uint64(), weight: uint64(), receipts: receipts(2), values: values(),
        attestation: attestation()),
      .auditRequest(round: uint64()),
      .auditResponse(
        round: uint64(),
        updates: (0..<2).map { _ in
          AuditedUpdate(
            weight: UInt32(truncatingIfNeeded: uint64()), values: values(),
            attestation: attestation())
        }),
      .requestOuterState(model: digest()),
      .outerState(model: digest(), values: values()),
    ]
  }

  /// `count` receipts of random weights, digests and attestations.
  mutating func receipts(_ count: Int) -> [UpdateReceipt] {
    (0..<count).map { _ in
      UpdateReceipt(
        weight: UInt32(truncatingIfNeeded: uint64()), valuesDigest: digest(),
        attestation: attestation(), score: score())
    }
  }

  /// An attestation of random bytes (the codec does not check signatures).
  mutating func attestation() -> Attestation {
    Attestation(
      publicKey: PublicKey(bytes: (0..<32).map { _ in UInt8(truncatingIfNeeded: uint64()) })!,
      nonce: uint64(),
      signature: Signature(bytes: (0..<64).map { _ in UInt8(truncatingIfNeeded: uint64()) })!)
  }

  /// At least one message of every case of every message enum.
  mutating func messages() -> [Message] {
    membershipMessages().map(Message.membership) + councilMessages().map(Message.council)
      + roundMessages().map(Message.round)
  }

  /// An envelope around each of `messages()`.
  mutating func envelopes() -> [Envelope] {
    messages().map { Envelope(sender: peer(), receiver: peer(), message: $0) }
  }
}

/// The case name of a message; the exhaustive switches make a new case a compile error here,
/// which sends its author to `RandomValues` to generate it.
func caseName(_ message: Message) -> String {
  switch message {
  case .membership(let message):
    switch message {
    case .ping: "ping"
    case .ack: "ack"
    case .pingRequest: "pingRequest"
    case .join: "join"
    case .joinAccepted: "joinAccepted"
    }
  case .council(let message):
    switch message {
    case .requestVote: "requestVote"
    case .vote: "vote"
    case .appendEntries: "appendEntries"
    case .appendResult: "appendResult"
    case .timeoutNow: "timeoutNow"
    case .requestPreVote: "requestPreVote"
    case .preVote: "preVote"
    }
  case .round(let message):
    switch message {
    case .aggregate: "aggregate"
    case .train: "train"
    case .update: "update"
    case .partial: "partial"
    case .model: "model"
    case .requestModel: "requestModel"
    case .modelStored: "modelStored"
    case .signedUpdate: "signedUpdate"
    case .signedPartial: "signedPartial"
    case .combination: "combination"
    case .requestPartial: "requestPartial"
    case .relayedPartial: "relayedPartial"
    case .auditRequest: "auditRequest"
    case .auditResponse: "auditResponse"
    case .requestOuterState: "requestOuterState"
    case .outerState: "outerState"
    }
  }
}

func caseName(_ command: CouncilCommand) -> String {
  switch command {
  case .noOperation: "noOperation"
  case .assignRoles: "assignRoles"
  case .startRound: "startRound"
  case .commitRound: "commitRound"
  case .ban: "ban"
  case .addCouncilMember: "addCouncilMember"
  case .removeCouncilMember: "removeCouncilMember"
  case .retireCouncilMember: "retireCouncilMember"
  }
}
