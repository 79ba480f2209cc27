extension CouncilLimits {
  /// Trainers named in one `RoundCommit`: at most every trainer assigned in the round.
  public static let trainersPerCommitMax = assignmentsPerRoundMax
}

extension RoleAssignment: WireCodable {
  /// Epoch, coordinator, no aggregators, no absent members.
  public static let encodedBytesMin = 8 + PeerID.encodedBytesMin + 4 + 4

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(epoch)
    encoder.encode(coordinator)
    encoder.encode(
      aggregators, field: "RoleAssignment.aggregators", countMax: CouncilLimits.aggregatorsMax)
    encoder.encode(absent, field: "RoleAssignment.absent", countMax: CouncilLimits.aggregatorsMax)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      epoch: try decoder.decode(UInt64.self), coordinator: try decoder.decode(PeerID.self),
      aggregators: try decoder.decode(
        [PeerID].self, field: "RoleAssignment.aggregators",
        countMax: CouncilLimits.aggregatorsMax),
      absent: try decoder.decode(
        [PeerID].self, field: "RoleAssignment.absent", countMax: CouncilLimits.aggregatorsMax))
  }
}

extension TrainerAssignment: WireCodable {
  /// Trainer, aggregator.
  public static let encodedBytesMin = 2 * PeerID.encodedBytesMin

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(trainer)
    encoder.encode(aggregator)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(trainer: try decoder.decode(PeerID.self), aggregator: try decoder.decode(PeerID.self))
  }
}

extension RoundStart: WireCodable {
  /// Round, base model, deadline, no assignments, the seed commitment.
  public static let encodedBytesMin = 8 + Digest.encodedBytesMin + 8 + 4 + Digest.encodedBytesMin

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(round)
    encoder.encode(baseModel)
    encoder.encode(deadlineMilliseconds)
    encoder.encode(
      assignments, field: "RoundStart.assignments",
      countMax: CouncilLimits.assignmentsPerRoundMax)
    encoder.encode(seedCommitment)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      round: try decoder.decode(UInt64.self), baseModel: try decoder.decode(Digest.self),
      deadlineMilliseconds: try decoder.decode(UInt64.self),
      assignments: try decoder.decode(
        [TrainerAssignment].self, field: "RoundStart.assignments",
        countMax: CouncilLimits.assignmentsPerRoundMax),
      seedCommitment: try decoder.decode(Digest.self))
  }
}

extension RoundCommit: WireCodable {
  /// Round, model, no aggregators, no trainers, the sample and its population, no judgements,
  /// the outer state's digest.
  public static let encodedBytesMin =
    8 + Digest.encodedBytesMin + 4 + 4 + 4 + 4 + 4 + Digest.encodedBytesMin

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(round)
    encoder.encode(model)
    encoder.encode(
      aggregators, field: "RoundCommit.aggregators", countMax: CouncilLimits.aggregatorsMax)
    encoder.encode(
      trainers, field: "RoundCommit.trainers", countMax: CouncilLimits.trainersPerCommitMax)
    encoder.encode(sampledTrainers)
    encoder.encode(population)
    encoder.encode(
      judgements, field: "RoundCommit.judgements", countMax: CouncilLimits.trainersPerCommitMax)
    encoder.encode(outerState)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      round: try decoder.decode(UInt64.self), model: try decoder.decode(Digest.self),
      aggregators: try decoder.decode(
        [PeerID].self, field: "RoundCommit.aggregators", countMax: CouncilLimits.aggregatorsMax),
      trainers: try decoder.decode(
        [PeerID].self, field: "RoundCommit.trainers",
        countMax: CouncilLimits.trainersPerCommitMax),
      sampledTrainers: try decoder.decode(UInt32.self), population: try decoder.decode(UInt32.self),
      judgements: try decoder.decode(
        [TrainerJudgement].self, field: "RoundCommit.judgements",
        countMax: CouncilLimits.trainersPerCommitMax),
      outerState: try decoder.decode(Digest.self))
  }
}

extension TrainerJudgement: WireCodable {
  /// Trainer, score.
  public static let encodedBytesMin = PeerID.encodedBytesMin + 4

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(trainer)
    encoder.encode(score)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(trainer: try decoder.decode(PeerID.self), score: try decoder.decode(Float.self))
  }
}

extension CouncilCommand: WireCodable {
  /// The smallest case: `noOperation`, a tag alone.
  public static let encodedBytesMin = 1

  private enum Tag: UInt8 {
    case noOperation = 0
    case assignRoles = 1
    case startRound = 2
    case commitRound = 3
    case ban = 4
    case addCouncilMember = 5
    case removeCouncilMember = 6
    case retireCouncilMember = 7
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .noOperation:
      encoder.encode(Tag.noOperation.rawValue)
    case .assignRoles(let assignment):
      encoder.encode(Tag.assignRoles.rawValue)
      encoder.encode(assignment)
    case .startRound(let start):
      encoder.encode(Tag.startRound.rawValue)
      encoder.encode(start)
    case .commitRound(let commit):
      encoder.encode(Tag.commitRound.rawValue)
      encoder.encode(commit)
    case .ban(let peer, let reason):
      encoder.encode(Tag.ban.rawValue)
      encoder.encode(peer)
      encoder.encode(
        reason, field: "CouncilCommand.ban.reason", bytesMax: CouncilLimits.banReasonBytesMax)
    case .addCouncilMember(let peer):
      encoder.encode(Tag.addCouncilMember.rawValue)
      encoder.encode(peer)
    case .removeCouncilMember(let peer):
      encoder.encode(Tag.removeCouncilMember.rawValue)
      encoder.encode(peer)
    case .retireCouncilMember(let peer):
      encoder.encode(Tag.retireCouncilMember.rawValue)
      encoder.encode(peer)
    }
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .noOperation:
      self = .noOperation
    case .assignRoles:
      self = .assignRoles(try decoder.decode(RoleAssignment.self))
    case .startRound:
      self = .startRound(try decoder.decode(RoundStart.self))
    case .commitRound:
      self = .commitRound(try decoder.decode(RoundCommit.self))
    case .ban:
      self = .ban(
        peer: try decoder.decode(PeerID.self),
        reason: try decoder.decode(
          String.self, field: "CouncilCommand.ban.reason",
          bytesMax: CouncilLimits.banReasonBytesMax))
    case .addCouncilMember:
      self = .addCouncilMember(try decoder.decode(PeerID.self))
    case .removeCouncilMember:
      self = .removeCouncilMember(try decoder.decode(PeerID.self))
    case .retireCouncilMember:
      self = .retireCouncilMember(try decoder.decode(PeerID.self))
    case nil:
      throw .unknownTag(type: "CouncilCommand", tag: tag)
    }
  }
}

extension LogEntry: WireCodable {
  /// Term, index, a `noOperation` command, no attestation.
  public static let encodedBytesMin = 8 + 8 + CouncilCommand.encodedBytesMin + 1

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(term)
    encoder.encode(index)
    encoder.encode(command)
    encoder.encode(optional: attestation)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      term: try decoder.decode(UInt64.self), index: try decoder.decode(UInt64.self),
      command: try decoder.decode(CouncilCommand.self),
      attestation: try decoder.decode(optional: Attestation.self, field: "LogEntry.attestation"))
  }
}

extension CouncilMessage: WireCodable {
  /// The smallest case: `timeoutNow`, a tag and a term.
  public static let encodedBytesMin = 1 + 8

  private enum Tag: UInt8 {
    case requestVote = 0
    case vote = 1
    case appendEntries = 2
    case appendResult = 3
    case timeoutNow = 4
    case requestPreVote = 5
    case preVote = 6
  }

  public func encode(to encoder: inout WireEncoder) {
    switch self {
    case .requestVote(
      let term, let candidate, let lastLogIndex, let lastLogTerm, let isLeadershipTransfer):
      encoder.encode(Tag.requestVote.rawValue)
      encoder.encode(term)
      encoder.encode(candidate)
      encoder.encode(lastLogIndex)
      encoder.encode(lastLogTerm)
      encoder.encode(isLeadershipTransfer)
    case .vote(let term, let granted):
      encoder.encode(Tag.vote.rawValue)
      encoder.encode(term)
      encoder.encode(granted)
    case .appendEntries(
      let term, let leader, let previousLogIndex, let previousLogTerm, let entries,
      let leaderCommit):
      encoder.encode(Tag.appendEntries.rawValue)
      encoder.encode(term)
      encoder.encode(leader)
      encoder.encode(previousLogIndex)
      encoder.encode(previousLogTerm)
      encoder.encode(
        entries, field: "CouncilMessage.appendEntries.entries",
        countMax: CouncilLimits.entriesPerAppendMax)
      encoder.encode(leaderCommit)
    case .appendResult(let term, let success, let matchIndex):
      encoder.encode(Tag.appendResult.rawValue)
      encoder.encode(term)
      encoder.encode(success)
      encoder.encode(matchIndex)
    case .timeoutNow(let term):
      encoder.encode(Tag.timeoutNow.rawValue)
      encoder.encode(term)
    case .requestPreVote(let term, let candidate, let lastLogIndex, let lastLogTerm):
      encoder.encode(Tag.requestPreVote.rawValue)
      encoder.encode(term)
      encoder.encode(candidate)
      encoder.encode(lastLogIndex)
      encoder.encode(lastLogTerm)
    case .preVote(let term, let granted):
      encoder.encode(Tag.preVote.rawValue)
      encoder.encode(term)
      encoder.encode(granted)
    }
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let tag = try decoder.decode(UInt8.self)
    switch Tag(rawValue: tag) {
    case .requestVote:
      self = .requestVote(
        term: try decoder.decode(UInt64.self), candidate: try decoder.decode(PeerID.self),
        lastLogIndex: try decoder.decode(UInt64.self),
        lastLogTerm: try decoder.decode(UInt64.self),
        isLeadershipTransfer: try decoder.decode(
          Bool.self, field: "CouncilMessage.requestVote.isLeadershipTransfer"))
    case .vote:
      self = .vote(
        term: try decoder.decode(UInt64.self),
        granted: try decoder.decode(Bool.self, field: "CouncilMessage.vote.granted"))
    case .appendEntries:
      self = .appendEntries(
        term: try decoder.decode(UInt64.self), leader: try decoder.decode(PeerID.self),
        previousLogIndex: try decoder.decode(UInt64.self),
        previousLogTerm: try decoder.decode(UInt64.self),
        entries: try decoder.decode(
          [LogEntry].self, field: "CouncilMessage.appendEntries.entries",
          countMax: CouncilLimits.entriesPerAppendMax),
        leaderCommit: try decoder.decode(UInt64.self))
    case .appendResult:
      self = .appendResult(
        term: try decoder.decode(UInt64.self),
        success: try decoder.decode(Bool.self, field: "CouncilMessage.appendResult.success"),
        matchIndex: try decoder.decode(UInt64.self))
    case .timeoutNow:
      self = .timeoutNow(term: try decoder.decode(UInt64.self))
    case .requestPreVote:
      self = .requestPreVote(
        term: try decoder.decode(UInt64.self), candidate: try decoder.decode(PeerID.self),
        lastLogIndex: try decoder.decode(UInt64.self),
        lastLogTerm: try decoder.decode(UInt64.self))
    case .preVote:
      self = .preVote(
        term: try decoder.decode(UInt64.self),
        granted: try decoder.decode(Bool.self, field: "CouncilMessage.preVote.granted"))
    case nil:
      throw .unknownTag(type: "CouncilMessage", tag: tag)
    }
  }
}
