/// The roles of one stretch of rounds, chosen by the deterministic ranking.
public struct RoleAssignment: Hashable, Sendable {
  public var epoch: UInt64
  public var coordinator: PeerID
  public var aggregators: [PeerID]
  /// The council members the coordinator left out as unresponsive, in peer order. Every member
  /// re-derives the roles from the committed ranking of the others (`CommittedRoles`), and a
  /// member named here while it is in steady contact with the coordinator objects.
  public var absent: [PeerID]
  public init(epoch: UInt64, coordinator: PeerID, aggregators: [PeerID], absent: [PeerID] = []) {
    self.epoch = epoch
    self.coordinator = coordinator
    self.aggregators = aggregators
    self.absent = absent
  }
}

/// The opening of a training round.
public struct RoundStart: Hashable, Sendable {
  public var round: UInt64
  /// Hash of the model the round trains from (the last committed model).
  public var baseModel: Digest
  public var deadlineMilliseconds: UInt64
  /// Trainer -> aggregator assignment.
  public var assignments: [TrainerAssignment]
  /// The coordinator's commitment to the seed of the round's combination (the randomness of a
  /// rule over partials and of central noise): `Digest.combinationSeedCommitment(round:seed:)`.
  /// It is in the log before any partial exists, so the coordinator cannot pick the seed
  /// afterwards; it reveals the seed to the council members with its `combination` note, and
  /// they recompute the combination with it. `zero` when none was drawn.
  public var seedCommitment: Digest
  public init(
    round: UInt64, baseModel: Digest, deadlineMilliseconds: UInt64,
    assignments: [TrainerAssignment], seedCommitment: Digest = .zero
  ) {
    self.round = round
    self.baseModel = baseModel
    self.deadlineMilliseconds = deadlineMilliseconds
    self.assignments = assignments
    self.seedCommitment = seedCommitment
  }
}

public struct TrainerAssignment: Hashable, Sendable {
  public var trainer: PeerID
  public var aggregator: PeerID
  public init(trainer: PeerID, aggregator: PeerID) {
    self.trainer = trainer
    self.aggregator = aggregator
  }
}

/// The commit of a round: the new model's hash and who contributed.
public struct RoundCommit: Hashable, Sendable {
  public var round: UInt64
  public var model: Digest
  public var aggregators: [PeerID]
  public var trainers: [PeerID]
  /// Trainers the round sampled, and the candidates it sampled them from: the privacy
  /// accountant's sampling rate for this round is their ratio, the same on every member that
  /// applies the log. A population of 0 (unknown) counts as a sampling rate of 1.
  public var sampledTrainers: UInt32
  public var population: UInt32
  /// The aggregators' judgements of the round's trainers (with trainer reputation), by trainer:
  /// every member applies them to its replicated reputation when it applies the commit.
  public var judgements: [TrainerJudgement]
  /// The digest of the outer optimizer's state after this round's step
  /// (`Digest.of(values:)` of `OuterOptimizer.state`), when the project's outer optimizer keeps
  /// state and the council checks its coordinator: every member adopts that state with the
  /// model, and checks the next round's step from it. `zero` otherwise.
  public var outerState: Digest
  public init(
    round: UInt64, model: Digest, aggregators: [PeerID], trainers: [PeerID],
    sampledTrainers: UInt32 = 0, population: UInt32 = 0, judgements: [TrainerJudgement] = [],
    outerState: Digest = .zero
  ) {
    self.outerState = outerState
    self.round = round
    self.model = model
    self.aggregators = aggregators
    self.trainers = trainers
    self.sampledTrainers = sampledTrainers
    self.population = population
    self.judgements = judgements
  }

  /// The share of the candidates this round sampled (1 when the population is unknown or
  /// smaller than the sample).
  public var samplingRate: Double {
    guard population > 0, sampledTrainers < population else { return 1 }
    return Double(sampledTrainers) / Double(population)
  }
}

/// An aggregator's judgement of one trainer's update in a round: the cosine between the update
/// and its group's robust aggregate (`ReputationBook`).
public struct TrainerJudgement: Hashable, Sendable {
  public var trainer: PeerID
  public var score: Float
  public init(trainer: PeerID, score: Float) {
    self.trainer = trainer
    self.score = score
  }
}

/// A command in the council's replicated log.
public enum CouncilCommand: Hashable, Sendable {
  /// Appended by a new leader to commit entries of earlier terms.
  case noOperation
  case assignRoles(RoleAssignment)
  case startRound(RoundStart)
  case commitRound(RoundCommit)
  case ban(peer: PeerID, reason: String)
  /// Single-member configuration changes.
  case addCouncilMember(PeerID)
  /// A member that failed (it stopped answering) leaves the council; peers stop sampling it as a
  /// trainer until they hear from it again.
  case removeCouncilMember(PeerID)
  /// A healthy member leaves the council because better-ranked peers take its place (role
  /// rotation); it goes back to training.
  case retireCouncilMember(PeerID)
}

public struct LogEntry: Hashable, Sendable {
  public var term: UInt64
  public var index: UInt64
  public var command: CouncilCommand
  /// The appending leader's signature over the project, the term, the index and the command
  /// (`SignedStatement.entry`), when the project signs; nil otherwise. It travels and is
  /// stored with the entry, so whoever holds the log can tell who appended each entry.
  public var attestation: Attestation?
  public init(
    term: UInt64, index: UInt64, command: CouncilCommand, attestation: Attestation? = nil
  ) {
    self.term = term
    self.index = index
    self.command = command
    self.attestation = attestation
  }
}

/// Raft messages between council members.
public enum CouncilMessage: Hashable, Sendable {
  /// `isLeadershipTransfer`: the candidate campaigns because the leader asked it to
  /// (`timeoutNow`), so voters grant it even while they still hear from that leader.
  case requestVote(
    term: UInt64, candidate: PeerID, lastLogIndex: UInt64, lastLogTerm: UInt64,
    isLeadershipTransfer: Bool)
  case vote(term: UInt64, granted: Bool)
  case appendEntries(
    term: UInt64, leader: PeerID, previousLogIndex: UInt64, previousLogTerm: UInt64,
    entries: [LogEntry], leaderCommit: UInt64)
  /// `matchIndex` is the follower's last index known to match the leader's log when `success`;
  /// otherwise a hint for where to retry.
  case appendResult(term: UInt64, success: Bool, matchIndex: UInt64)
  /// Leadership transfer: the leader tells an up-to-date follower to campaign at once.
  case timeoutNow(term: UInt64)
  /// Pre-vote: would you vote for `candidate` in `term` (its current term + 1)? The candidate's
  /// term is not raised by asking, and the receiver's is not raised by answering.
  case requestPreVote(term: UInt64, candidate: PeerID, lastLogIndex: UInt64, lastLogTerm: UInt64)
  /// The answer to `requestPreVote` for `term`.
  case preVote(term: UInt64, granted: Bool)
}

/// Bounds on council messages.
public enum CouncilLimits {
  public static let entriesPerAppendMax = 64
  public static let aggregatorsMax = 256
  public static let assignmentsPerRoundMax = 100_000
  public static let banReasonBytesMax = 256
}
