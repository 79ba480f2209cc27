import Wire

/// How the coordinator runs rounds.
public struct RoundPlan: Hashable, Sendable {
  public var trainersPerRound: Int
  public var roundDurationMilliseconds: UInt64
  public init(trainersPerRound: Int, roundDurationMilliseconds: UInt64) {
    precondition(trainersPerRound >= 1 && roundDurationMilliseconds >= 1, "round plan")
    self.trainersPerRound = trainersPerRound
    self.roundDurationMilliseconds = roundDurationMilliseconds
  }

  /// How long after the deadline partials are still taken, and the coordinator still waits for
  /// a missing one: aggregators send what they hold at the deadline, and it takes time to arrive.
  public var partialGraceMilliseconds: UInt64 { roundDurationMilliseconds / 10 }
}

/// A trainer the coordinator may sample, with its measured round-trip times to aggregators.
public struct TrainerCandidate: Hashable, Sendable {
  public var peer: PeerID
  public var roundTripMilliseconds: [PeerID: UInt32]
  public init(peer: PeerID, roundTripMilliseconds: [PeerID: UInt32] = [:]) {
    self.peer = peer
    self.roundTripMilliseconds = roundTripMilliseconds
  }
}

/// The coordinator's side of rounds: open a round (sample trainers, assign them to aggregators),
/// collect partial aggregates, combine them into the next model and propose its commit.
///
/// Everything it decides goes through the council log (`propose`): a round exists once its
/// `startRound` is committed and its model once its `commitRound` is. A new coordinator built
/// from the committed state restarts an uncommitted round under a new round number from the
/// last committed model, so no committed round ever changes.
public struct RoundCoordinator: Sendable {
  public enum Event: Sendable {
    /// Open the next round now, with these trainers and aggregators available; the start
    /// carries `seedCommitment` (`RoundStart.seedCommitment`).
    case open(
      now: UInt64, trainers: [TrainerCandidate], aggregators: [PeerID], seed: UInt64,
      seedCommitment: Digest = .zero)
    /// The council committed a `startRound` (this coordinator's or a predecessor's).
    case startCommitted(RoundStart)
    /// The council committed a `startRound` that this coordinator cannot run (a predecessor's,
    /// whose combination seed it does not hold): it only counts for the numbering, and the next
    /// round opens under a new number.
    case startPassed(RoundStart)
    /// An aggregator's partial, with its judgement of each trainer (`scores`, in `trainers`'
    /// order; empty when the project does not judge).
    case partial(
      from: PeerID, round: UInt64, weight: UInt64, trainers: [PeerID], values: [Float], now: UInt64,
      scores: [Float] = [])
    /// `now` passed; `unreachable` are aggregators that stopped answering. When every assigned
    /// aggregator has either delivered or is unreachable, the round commits without waiting for
    /// the deadline (their trainers are left out and sampled again next round; if no aggregator
    /// delivered, the committed model is the base model and the next round starts at once).
    case tick(now: UInt64, unreachable: Set<PeerID> = [])
    /// The council committed a `commitRound`, with the model's values.
    case commitCommitted(RoundCommit, values: [Float])
    /// With `combinesPartialsExternally`: the node's combination of the partials of `round`.
    case combined(round: UInt64, model: [Float])
    /// The node refused `sender`'s partial for `round` before it got here (its signatures): an
    /// assigned aggregator whose refusal closes its turn is no longer waited for.
    case refused(from: PeerID, round: UInt64, ContributionRejection)
  }

  /// One aggregator's partial, as received.
  public struct Partial: Hashable, Sendable {
    public var aggregator: PeerID
    public var weight: UInt64
    public var values: [Float]
    public init(aggregator: PeerID, weight: UInt64, values: [Float]) {
      self.aggregator = aggregator
      self.weight = weight
      self.values = values
    }
  }

  public enum Action: Hashable, Sendable {
    case propose(CouncilCommand)
    case send(to: PeerID, RoundMessage)
    case rejected(from: PeerID, ContributionRejection)
    /// Replicate the proposed model to the council (a commit counts only once a majority holds
    /// it) and send it down through the aggregators.
    case publishModel(round: UInt64, digest: Digest, values: [Float])
    /// With `combinesPartialsExternally`: combine these partials into the next model from
    /// `base` and report it with `.combined` (robust rule over partials, central noise, outer
    /// optimizer).
    case combine(round: UInt64, base: [Float], partials: [Partial])
  }

  /// When true, the node combines the partials (`combine` action, `combined` event) instead of
  /// the built-in `model + sum of partials / total weight`.
  public var combinesPartialsExternally = false

  public let plan: RoundPlan
  /// The last committed round and its model.
  public private(set) var committedRound: UInt64
  public private(set) var model: [Float]
  public private(set) var modelDigest: Digest
  /// The highest round number ever started (committed `startRound`).
  public private(set) var lastStartedRound: UInt64
  private var open: RoundStart?
  private var isProposed = false
  private var received:
    [PeerID: (weight: UInt64, trainers: [PeerID], values: [Float], scores: [Float])] = [:]
  /// Aggregators of the open round whose partial was refused for its content.
  private var refusedAggregators: Set<PeerID> = []
  private var countedTrainers: Set<PeerID> = []
  /// The candidates each proposed round sampled from (kept until the round commits or a later
  /// one opens): the commit names them for the privacy accountant.
  private var populations: [UInt64: UInt32] = [:]

  /// A coordinator that takes over at `committedRound` with its model.
  public init(plan: RoundPlan, committedRound: UInt64, model: [Float], lastStartedRound: UInt64) {
    self.plan = plan
    self.committedRound = committedRound
    self.model = model
    self.modelDigest = Digest.of(values: model)
    self.lastStartedRound = max(lastStartedRound, committedRound)
  }

  /// The open round, once its start is committed.
  public var openRound: RoundStart? { open }

  public mutating func handle(_ event: Event) -> [Action] {
    switch event {
    case .open(let now, let trainers, let aggregators, let seed, let seedCommitment):
      guard open == nil, !aggregators.isEmpty, !trainers.isEmpty else { return [] }
      populations = [lastStartedRound + 1: UInt32(clamping: trainers.count)]
      let start = RoundStart(
        round: lastStartedRound + 1, baseModel: modelDigest,
        deadlineMilliseconds: Timestamps.adding(plan.roundDurationMilliseconds, to: now),
        assignments: Self.assign(sample(trainers, seed: seed), to: aggregators.sorted()),
        seedCommitment: seedCommitment)
      return [.propose(.startRound(start))]
    case .startPassed(let start):
      lastStartedRound = max(lastStartedRound, start.round)
      return []
    case .startCommitted(let start):
      lastStartedRound = max(lastStartedRound, start.round)
      guard start.round > committedRound, start.baseModel == modelDigest else { return [] }
      open = start
      isProposed = false
      received = [:]
      refusedAggregators = []
      countedTrainers = []
      let aggregators = Set(start.assignments.map(\.aggregator)).sorted()
      return aggregators.map { .send(to: $0, .aggregate(start)) }
    case .partial(let sender, let round, let weight, let trainers, let values, let now, let scores):
      if let rejection = check(
        sender: sender, round: round, trainers: trainers, values: values, now: now)
        ?? Self.checkScores(scores, trainers: trainers)
      {
        // An assigned aggregator whose partial is unusable has had its turn: the round stops
        // waiting for it rather than for the deadline.
        if rejection.closesTheSendersTurn { refusedAggregators.insert(sender) }
        return [.rejected(from: sender, rejection)] + (isEveryGroupIn ? proposeCommit() : [])
      }
      received[sender] = (weight, trainers, values, scores)
      countedTrainers.formUnion(trainers)
      return isEveryGroupIn ? proposeCommit() : []
    case .tick(let now, let unreachable):
      guard let open else { return [] }
      let pending = Set(open.assignments.map(\.aggregator)).subtracting(received.keys)
        .subtracting(refusedAggregators)
      guard
        now >= Timestamps.adding(plan.partialGraceMilliseconds, to: open.deadlineMilliseconds)
          || pending.isSubset(of: unreachable)
      else { return [] }
      return proposeCommit()
    case .commitCommitted(let commit, let values):
      guard commit.round > committedRound else { return [] }
      committedRound = commit.round
      model = values
      modelDigest = commit.model
      lastStartedRound = max(lastStartedRound, commit.round)
      open = nil
      return []
    case .refused(let sender, let round, let rejection):
      guard let open, open.round == round, !isProposed, rejection.closesTheSendersTurn,
        open.assignments.contains(where: { $0.aggregator == sender }), received[sender] == nil
      else { return [.rejected(from: sender, rejection)] }
      refusedAggregators.insert(sender)
      return [.rejected(from: sender, rejection)] + (isEveryGroupIn ? proposeCommit() : [])
    case .combined(let round, let next):
      guard let open, open.round == round, isProposed, next.count == model.count else { return [] }
      return commitProposal(
        next, round: round, contributors: received.filter { $0.value.weight > 0 })
    }
  }

  private func check(
    sender: PeerID, round: UInt64, trainers: [PeerID], values: [Float], now: UInt64
  ) -> ContributionRejection? {
    guard let open, open.round == round else {
      return .wrongRound(expected: self.open?.round, received: round)
    }
    let group = Set(open.assignments.filter { $0.aggregator == sender }.map(\.trainer))
    guard open.assignments.contains(where: { $0.aggregator == sender }) else { return .notAssigned }
    guard received[sender] == nil, !refusedAggregators.contains(sender) else { return .duplicate }
    guard !isProposed,
      now <= Timestamps.adding(plan.partialGraceMilliseconds, to: open.deadlineMilliseconds)
    else {
      return .late
    }
    var seen: Set<PeerID> = []
    for trainer in trainers {
      guard group.contains(trainer) else { return .trainerNotInGroup(trainer) }
      guard !countedTrainers.contains(trainer), seen.insert(trainer).inserted else {
        return .trainerCountedTwice(trainer)
      }
    }
    return validateValues(values, length: model.count)
  }

  /// Whether every group of the open round has answered, with a partial counted or refused.
  private var isEveryGroupIn: Bool {
    guard let open else { return false }
    return received.count + refusedAggregators.count
      == Set(open.assignments.map(\.aggregator)).count
  }

  /// Combines the received partials: model + (sum of weighted updates) / (total weight).
  private mutating func proposeCommit() -> [Action] {
    guard let open, !isProposed else { return [] }
    isProposed = true
    let contributors = received.filter { $0.value.weight > 0 }
    if combinesPartialsExternally, !contributors.isEmpty {
      let partials = contributors.keys.sorted().map {
        Partial(aggregator: $0, weight: contributors[$0]!.weight, values: contributors[$0]!.values)
      }
      return [.combine(round: open.round, base: model, partials: partials)]
    }
    // In peer order: a float sum in dictionary order would differ from run to run.
    let next = Self.meanCombination(
      base: model,
      partials: contributors.keys.sorted().map {
        (contributors[$0]!.weight, contributors[$0]!.values)
      })
    return commitProposal(next, round: open.round, contributors: contributors)
  }

  /// The judgements of the partials combined, by trainer: what a commit records and every
  /// member's replicated reputation applies.
  public static func judgements(_ partials: [(trainers: [PeerID], scores: [Float])])
    -> [TrainerJudgement]
  {
    partials.flatMap { partial in
      zip(partial.trainers, partial.scores).map { TrainerJudgement(trainer: $0, score: $1) }
    }.sorted { $0.trainer < $1.trainer }
  }

  /// Why an aggregator's judgements cannot count: one per trainer or none, each a cosine.
  static func checkScores(_ scores: [Float], trainers: [PeerID]) -> ContributionRejection? {
    guard scores.isEmpty || scores.count == trainers.count,
      scores.allSatisfy({ $0.isFinite && $0 >= -1 && $0 <= 1 })
    else { return .judgementOutOfRange }
    return nil
  }

  /// `base + Σ partial / Σ weight`, summed in the order given: the built-in combination, which a
  /// council member that checks its coordinator recomputes bit for bit from the same partials.
  public static func meanCombination(
    base: [Float], partials: [(weight: UInt64, values: [Float])]
  ) -> [Float] {
    let totalWeight = partials.reduce(UInt64(0)) { $0 + $1.weight }
    var next = base
    guard totalWeight > 0 else { return next }
    let scale = 1 / Float(totalWeight)
    for partial in partials {
      for index in 0..<next.count { next[index] += scale * partial.values[index] }
    }
    return next
  }

  private func commitProposal(
    _ next: [Float], round: UInt64,
    contributors: [PeerID: (weight: UInt64, trainers: [PeerID], values: [Float], scores: [Float])]
  ) -> [Action] {
    let sampled = UInt32(clamping: open?.assignments.count ?? 0)
    let commit = RoundCommit(
      round: round, model: Digest.of(values: next), aggregators: contributors.keys.sorted(),
      trainers: contributors.values.flatMap(\.trainers).sorted(), sampledTrainers: sampled,
      // Unknown (a round this coordinator did not open): counted as a sampling rate of 1.
      population: populations[round] ?? sampled,
      judgements: Self.judgements(contributors.values.map { ($0.trainers, $0.scores) }))
    return [
      .publishModel(round: round, digest: commit.model, values: next),
      .propose(.commitRound(commit)),
    ]
  }

  /// A seeded sample of at most `plan.trainersPerRound` trainers.
  private func sample(_ trainers: [TrainerCandidate], seed: UInt64) -> [TrainerCandidate] {
    var generator = SplitMixGenerator(seed: seed)
    var pool = trainers.sorted { $0.peer < $1.peer }
    pool.shuffle(using: &generator)
    return Array(pool.prefix(plan.trainersPerRound))
  }

  /// Assigns each trainer to the aggregator with the lowest cost `(load + 1) * (1 + rtt / 100ms)`
  /// so groups stay balanced and trainers go to nearby aggregators; ties go to the lower ID.
  static func assign(_ trainers: [TrainerCandidate], to aggregators: [PeerID])
    -> [TrainerAssignment]
  {
    var load = [PeerID: Int]()
    return trainers.sorted { $0.peer < $1.peer }.map { trainer in
      let best = aggregators.min { first, second in
        cost(trainer, first, load) != cost(trainer, second, load)
          ? cost(trainer, first, load) < cost(trainer, second, load) : first < second
      }!
      load[best, default: 0] += 1
      return TrainerAssignment(trainer: trainer.peer, aggregator: best)
    }
  }

  private static func cost(_ trainer: TrainerCandidate, _ aggregator: PeerID, _ load: [PeerID: Int])
    -> Double
  {
    let roundTrip = Double(trainer.roundTripMilliseconds[aggregator] ?? 100)
    return Double(load[aggregator, default: 0] + 1) * (1 + roundTrip / 100)
  }
}
