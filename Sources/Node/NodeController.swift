import Coordination
import Wire

/// How a node takes part in training.
public enum TopologyMode: String, Sendable, CaseIterable {
  /// A fixed coordinator that also aggregates; no council. The classic FL baseline.
  case federated
  /// Trainers, intermediate aggregators and a coordinator elected by a council.
  case fdfl
}

/// What every node of a project agrees on.
public struct NodeSettings: Sendable {
  public var mode: TopologyMode
  public var plan: RoundPlan
  public var modelLength: Int
  /// Aggregators per round (fdfl).
  public var aggregatorCount: Int
  /// Pause between a commit and the next round's opening.
  public var roundGapMilliseconds: UInt64

  public init(
    mode: TopologyMode, plan: RoundPlan, modelLength: Int, aggregatorCount: Int,
    roundGapMilliseconds: UInt64 = 10
  ) {
    self.mode = mode
    self.plan = plan
    self.modelLength = modelLength
    self.aggregatorCount = aggregatorCount
    self.roundGapMilliseconds = roundGapMilliseconds
  }
}

/// Everything that reaches a node.
public enum NodeInput: Sendable {
  case tick(now: UInt64)
  case received(from: PeerID, Message, now: UInt64)
  /// Local training for `round` finished: the parameter delta and the samples it used.
  case trainingFinished(round: UInt64, weight: UInt32, delta: [Float], now: UInt64)
}

/// Everything a node asks its runtime (real or simulated) to do.
public enum NodeEffect: Sendable {
  case send(to: PeerID, Message)
  /// Train locally from `model` and report with `trainingFinished` before `deadline`.
  case train(round: UInt64, model: [Float], deadlineMilliseconds: UInt64)
  /// A round was committed on this node: its number, model digest and contributors.
  case committed(RoundCommit)
  /// A contribution was refused (for logs and reputation).
  case rejected(from: PeerID, ContributionRejection)
}

/// One peer's protocol logic, synchronous and free of IO: inputs in, effects out. The simulator
/// and (later) the real runtime drive the same controller.
///
/// In `federated` mode the coordinator's proposals commit at once on the coordinator (no
/// council); trainers learn of commits from the model the coordinator sends them.
public struct NodeController: Sendable {
  public let me: PeerID
  public let settings: NodeSettings
  /// Every trainer this node knows (static in this version; membership comes from SWIM in fdfl).
  public private(set) var peers: [PeerID]
  public let coordinatorPeer: PeerID
  public private(set) var committedRound: UInt64 = 0
  public private(set) var model: [Float]
  public private(set) var commits: [RoundCommit] = []
  /// The highest round this node saw started (durable on the coordinator).
  public private(set) var lastStartedRound: UInt64
  private var coordinator: RoundCoordinator?
  private var group: GroupAggregation
  private var nextOpenTime: UInt64 = 0
  private var seed: UInt64

  /// A node starting at `committedRound` with its model (from its durable store after a
  /// restart); `lastStartedRound` is the highest round it knows was started.
  public init(
    me: PeerID, settings: NodeSettings, peers: [PeerID], coordinator: PeerID, model: [Float],
    seed: UInt64, committedRound: UInt64 = 0, lastStartedRound: UInt64 = 0
  ) {
    precondition(model.count == settings.modelLength, "model length")
    self.committedRound = committedRound
    self.lastStartedRound = lastStartedRound
    self.me = me
    self.settings = settings
    self.peers = peers
    self.coordinatorPeer = coordinator
    self.model = model
    self.seed = seed
    group = GroupAggregation(me: me, modelLength: settings.modelLength)
    if me == coordinator {
      self.coordinator = RoundCoordinator(
        plan: settings.plan, committedRound: committedRound, model: model,
        lastStartedRound: lastStartedRound)
    }
  }

  public var isCoordinator: Bool { coordinator != nil }

  public mutating func handle(_ input: NodeInput) -> [NodeEffect] {
    switch input {
    case .tick(let now):
      return tick(now: now)
    case .received(let sender, let message, let now):
      return receive(message, from: sender, now: now)
    case .trainingFinished(let round, let weight, let delta, _):
      return [
        .send(
          to: aggregatorOfMine ?? coordinatorPeer,
          .round(.update(round: round, weight: weight, values: delta)))
      ]
    }
  }

  private var aggregatorOfMine: PeerID?
  private var pendingTraining: (round: UInt64, base: Digest, deadline: UInt64)?

  private mutating func tick(now: UInt64) -> [NodeEffect] {
    var effects = translate(group.handle(.tick(now: now)), now: now)
    guard coordinator != nil else { return effects }
    effects += apply(coordinator!.handle(.tick(now: now)), now: now)
    if coordinator!.openRound == nil, now >= nextOpenTime {
      seed &+= 0x9E37_79B9_7F4A_7C15
      let trainers = peers.filter { $0 != me }.map { TrainerCandidate(peer: $0) }
      effects += apply(
        coordinator!.handle(.open(now: now, trainers: trainers, aggregators: [me], seed: seed)),
        now: now)
    }
    return effects
  }

  private mutating func receive(_ message: Message, from sender: PeerID, now: UInt64)
    -> [NodeEffect]
  {
    guard case .round(let round) = message else { return [] }
    switch round {
    case .aggregate(let start):
      return translate(group.handle(.roundStarted(start, coordinator: sender, now: now)), now: now)
    case .train(let number, let base, let deadline):
      aggregatorOfMine = sender
      guard base == Digest.of(values: model) else {
        // The round's model has not reached this peer yet: ask for it and train on arrival.
        pendingTraining = (number, base, deadline)
        return [.send(to: sender, .round(.requestModel(digest: base)))]
      }
      pendingTraining = nil
      return [.train(round: number, model: model, deadlineMilliseconds: deadline)]
    case .update(let number, let weight, let values):
      return translate(
        group.handle(
          .update(from: sender, round: number, weight: weight, values: values, now: now)), now: now)
    case .partial(let number, let weight, let trainers, let values):
      guard coordinator != nil else { return [] }
      return apply(
        coordinator!.handle(
          .partial(
            from: sender, round: number, weight: weight, trainers: trainers, values: values,
            now: now)),
        now: now)
    case .model(let number, let digest, let values):
      guard number >= committedRound, values.count == settings.modelLength,
        Digest.of(values: values) == digest
      else { return [] }
      committedRound = number
      model = values
      guard let pending = pendingTraining, pending.base == digest else { return [] }
      pendingTraining = nil
      return [.train(round: pending.round, model: model, deadlineMilliseconds: pending.deadline)]
    case .requestModel(let digest):
      guard digest == Digest.of(values: model) else { return [] }
      return [
        .send(to: sender, .round(.model(round: committedRound, digest: digest, values: model)))
      ]
    }
  }

  /// Aggregator actions become effects; messages to itself are handled at once.
  private mutating func translate(_ actions: [GroupAggregation.Action], now: UInt64) -> [NodeEffect]
  {
    var effects: [NodeEffect] = []
    for action in actions {
      switch action {
      case .send(let peer, let message) where peer == me:
        effects += receive(.round(message), from: me, now: now)
      case .send(let peer, let message):
        effects.append(.send(to: peer, .round(message)))
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
      }
    }
    return effects
  }

  /// Coordinator actions: in federated mode a proposal commits at once.
  private mutating func apply(_ actions: [RoundCoordinator.Action], now: UInt64) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    var published: [Float]?
    for action in actions {
      switch action {
      case .propose(.startRound(let start)):
        lastStartedRound = max(lastStartedRound, start.round)
        effects += apply(coordinator!.handle(.startCommitted(start)), now: now)
      case .propose(.commitRound(let commit)):
        let values = published ?? model
        effects += apply(coordinator!.handle(.commitCommitted(commit, values: values)), now: now)
        committedRound = commit.round
        model = values
        commits.append(commit)
        nextOpenTime = now + settings.roundGapMilliseconds
        effects.append(.committed(commit))
        for peer in peers where peer != me {
          effects.append(
            .send(
              to: peer, .round(.model(round: commit.round, digest: commit.model, values: values))))
        }
      case .propose:
        break
      case .publishModel(_, _, let values):
        published = values
      case .send(let peer, let message) where peer == me:
        effects += receive(.round(message), from: me, now: now)
      case .send(let peer, let message):
        effects.append(.send(to: peer, .round(message)))
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
      }
    }
    return effects
  }
}
