import Aggregation
import Coordination
import Privacy
import Tensors
import Wire

/// How a node takes part in training.
public enum TopologyMode: String, Sendable, CaseIterable {
  /// A fixed coordinator that also aggregates; no council. The classic FL baseline.
  case federated
  /// Trainers, intermediate aggregators and a coordinator: the council (a Raft group) elects the
  /// coordinator among its members and the other members aggregate.
  case fdfl
}

/// What every node of a project agrees on.
public struct NodeSettings: Sendable {
  public var mode: TopologyMode
  public var plan: RoundPlan
  public var modelLength: Int
  /// Council members (fdfl): the coordinator is elected among them, the others aggregate. In
  /// federated mode the first one is the fixed coordinator.
  public var council: [PeerID]
  public var councilOptions: CouncilOptions
  /// Pause between a commit and the next round's opening.
  public var roundGapMilliseconds: UInt64
  /// Aggregators per round (fdfl), chosen among the live council members by `RoleRanking`;
  /// nil: every live council member other than the coordinator aggregates.
  public var aggregatorCount: Int?
  /// Aggregators are re-ranked every this many committed rounds (and at once when one fails).
  public var rotateEvery: Int = 10
  /// Whether the coordinator manages the council's membership: it replaces members that stay
  /// silent (a Raft configuration change to remove each, then one to add the best-ranked live
  /// peer), keeping the council at its bootstrap size, and once per epoch rotates a
  /// better-ranked trainer in and the lowest-ranked member out.
  public var replacesCouncilMembers = true
  /// Whether, once per epoch, a better-ranked trainer joins the council and the lowest-ranked
  /// member retires (with `replacesCouncilMembers`).
  public var rotatesCouncilMembers = true
  /// Whether the coordinator hands leadership to each epoch's first-ranked live council member
  /// (Raft leadership transfer).
  public var handsOverToRankedCoordinator = true
  /// A council member silent for this long is removed and replaced.
  public var councilMemberSilenceMilliseconds: UInt64 = 10_000
  /// How long a peer removed for silence, or a trainer that did not contribute to its round, is
  /// left out of the trainer samples (unless it is heard from first, or no other trainer is
  /// left).
  public var setAsideMilliseconds: UInt64 = 60_000
  /// SWIM membership: when set, every node runs failure detection and the coordinator samples
  /// trainers only among members believed alive. Nil: the peer list is static.
  public var membership: MembershipConfiguration?
  /// Robust aggregation and worker momentum; nil: aggregators sum updates (FedAvg).
  public var security: NodeSecurity?
  /// An aggregator not heard from for this long gets no trainers in the next round, and an open
  /// round stops waiting for it. Council members exchange heartbeats every 100 ms, and an
  /// election takes at least one election timeout (1 s), so a crashed coordinator is always
  /// excluded by its successor.
  public var aggregatorSilenceMilliseconds: UInt64

  public init(
    mode: TopologyMode, plan: RoundPlan, modelLength: Int, council: [PeerID],
    councilOptions: CouncilOptions = CouncilOptions(), roundGapMilliseconds: UInt64 = 10,
    aggregatorSilenceMilliseconds: UInt64 = 1_000
  ) {
    precondition(!council.isEmpty, "a project needs at least one council member")
    self.mode = mode
    self.plan = plan
    self.modelLength = modelLength
    self.council = council
    self.councilOptions = councilOptions
    self.roundGapMilliseconds = roundGapMilliseconds
    self.aggregatorSilenceMilliseconds = aggregatorSilenceMilliseconds
    self.membership = nil
    self.aggregatorCount = nil
  }
}

/// Everything that reaches a node.
public enum NodeInput: Sendable {
  case tick(now: UInt64)
  case received(from: PeerID, Message, now: UInt64)
  /// Local training for `round` finished: the parameter delta and the samples it used.
  case trainingFinished(round: UInt64, weight: UInt32, delta: [Float], now: UInt64)
  /// The runtime measured the accuracy of the committed model of `round` (for `status`).
  case evaluated(round: UInt64, accuracy: Double)
}

/// Everything a node asks its runtime (real or simulated) to do.
public enum NodeEffect: Sendable {
  case send(to: PeerID, Message)
  /// Train locally from `model` and report with `trainingFinished` before `deadline`.
  case train(round: UInt64, model: [Float], deadlineMilliseconds: UInt64)
  /// Make `write` durable (written and synced) before carrying out any other effect of the same
  /// step; see `NodeController` for the ordering contract.
  case persist(DurableWrite)
  /// A round was committed on this node and the node holds its model's bytes.
  case committed(RoundCommit)
  case becameCoordinator(term: UInt64)
  /// A council configuration change was applied here; `members` is the new council.
  case councilChanged(members: [PeerID])
  /// A contribution was refused (for logs and reputation).
  case rejected(from: PeerID, ContributionRejection)
  /// The coordinator stops: one more round would take the privacy spent past the budget.
  case privacyBudgetExhausted(epsilon: Double)
  /// This aggregator combined its group with a robust rule: which rule ran, what it dropped or
  /// clipped, and why it skipped the rules before it (for the log).
  case aggregated(round: UInt64, report: String)
}

/// One peer's protocol logic, synchronous and free of IO: inputs in, effects out. The simulator
/// and the real runtime drive the same controller.
///
/// The ordering contract (etcd raft's `Ready`): the effects of one `handle(_:)` call list every
/// `.persist` first. The runtime applies them to its store in order and syncs it, and only then
/// carries out the step's other effects, sends included, in order; it executes steps one after
/// another, so no effect of a later step overtakes the sync of an earlier one. The controller
/// counts a write as durable the moment it returns it: a vote, a log entry or a held model is
/// acknowledged in the same step that writes it, and the contract is what keeps that
/// acknowledgement behind the disk. A crash before the sync loses the step's writes and its
/// messages alike (as if the step never ran); a crash after it loses at most messages, which the
/// network may lose anyway.
///
/// Roles: in `fdfl` the council's Raft leader is the coordinator and every other live council
/// member aggregates; everyone else trains. In `federated` the first council member coordinates
/// and aggregates alone, and its proposals commit at once.
public struct NodeController: Sendable {
  public let me: PeerID
  public let settings: NodeSettings
  public let peers: [PeerID]
  public private(set) var committedRound: UInt64
  public private(set) var model: [Float]
  public private(set) var lastStartedRound: UInt64
  public private(set) var council: Council?
  /// SWIM failure detection (when `settings.membership` is set).
  public private(set) var membership: Membership?
  var coordinator: RoundCoordinator?
  var group: GroupAggregation
  var nextOpenTime: UInt64 = 0
  var seed: UInt64
  var aggregatorOfMine: PeerID?
  var pendingTraining: (round: UInt64, base: Digest, deadline: UInt64)?
  /// Models published by the coordinator, by digest, until their commit applies.
  var publishedModels: [Digest: [Float]] = [:]
  /// Committed rounds whose bytes have not arrived yet.
  var awaitedCommits: [Digest: RoundCommit] = [:]
  var lastHeard: [PeerID: UInt64] = [:]
  /// The coordinator's commit proposal waiting until a majority of the council holds its model.
  var heldCommit: RoundCommit?
  var nextCouncilChange: UInt64 = 0
  /// Trainers of the last committed round: live peers the coordinator may bring into the council.
  var lastContributors: [PeerID] = []
  /// Peers set aside until the time given: removed from the council for silence, or sampled as
  /// trainers without contributing to the round. They are not sampled until heard from again or
  /// until the time passes (without failure detection a restarted peer may never speak to the
  /// coordinator, so it gets another chance), unless every other candidate is set aside too.
  var setAsideUntil: [PeerID: UInt64] = [:]
  /// The roles in force: the last committed `assignRoles`.
  public private(set) var roles: RoleAssignment?
  /// The last roles this coordinator proposed (in force for its rounds until another ranking).
  var proposedRoles: RoleAssignment?
  var modelHolders: Set<PeerID> = []
  var nextModelPush: UInt64 = 0
  /// The term this node leads, while its coordinator waits for the term's first commit.
  var leadershipTerm: UInt64?
  var nextModelRequest: UInt64 = 0
  var modelRequestTurn = 0
  /// How often a node that lacks a committed model's bytes asks another council member.
  static let modelRequestIntervalMilliseconds: UInt64 = 300
  var now: UInt64 = 0
  /// Client-side worker momentum, when the project uses it.
  var workerMomentum: WorkerMomentum?
  /// This aggregator's last robust aggregate (CenteredClip's warm start).
  var previousGroupAggregate: [Float]?
  /// This coordinator's last combined delta (the warm start of a rule over partials).
  var previousCombinedDelta: [Float]?
  /// This aggregator's record of its trainers, when the project uses reputation.
  var reputation: ReputationBook<PeerID>?
  /// The coordinator's outer optimizer (its momentum restarts when the coordinator changes).
  var outerOptimizer: (any OuterOptimizer)?
  var isPrivacyBudgetExhausted = false
  /// Rounds in which this trainer sent a locally privatized update.
  public private(set) var localPrivacyRounds = 0
  /// The accuracy of the committed model, when the runtime reported it for the current round.
  var lastAccuracy: Double?

  /// Peers that asked for a model this node did not hold yet, by digest.
  var waitingModelRequests: [Digest: Set<PeerID>] = [:]

  /// The last leader this node followed (not itself).
  var lastFollowedLeader: PeerID?

  /// When this node last became the coordinator.
  var coordinatingSince: UInt64 = 0

  /// The epoch in which this coordinator last handed leadership to the ranked coordinator; it
  /// tries once per epoch, then keeps coordinating itself.
  var handoverEpoch: UInt64?

  /// The epoch whose council rotation this coordinator made.
  var rotationEpoch: UInt64?
  /// The member the last rotation brought in; it does not retire in the same rotation.
  var rotationIncoming: PeerID?

  /// A node from its durable state (all zeros and the initial model on first start).
  public init(
    me: PeerID, settings: NodeSettings, peers: [PeerID], durable: NodeDurableState, seed: UInt64
  ) {
    precondition(durable.model.count == settings.modelLength, "model length")
    self.me = me
    self.settings = settings
    self.peers = peers
    self.seed = seed
    committedRound = durable.committedRound
    model = durable.model
    lastStartedRound = durable.lastStartedRound
    publishedModels = durable.storedModels
    if let configuration = settings.membership {
      let record = MemberRecord(
        peer: me, address: PeerAddress("simulated:\(me)"),
        capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
        joinedAtMilliseconds: 0)
      membership = Membership(myself: record, configuration: configuration, seed: seed ^ 0x5717)
    }
    group = GroupAggregation(me: me, modelLength: settings.modelLength)
    group.keepsIndividualUpdates = settings.security?.needsIndividualUpdates ?? false
    if let beta = settings.security?.workerMomentum { workerMomentum = WorkerMomentum(beta: beta) }
    switch settings.mode {
    case .federated:
      if me == settings.council[0] { becomeCoordinator() }
    case .fdfl where settings.council.contains(me) || settings.replacesCouncilMembers:
      // With replacement on, every peer holds a dormant council that takes part only once an
      // `addCouncilMember` entry names it (all start from the same bootstrap members).
      if let stored = durable.council,
        let restored = try? Council(
          id: me, bootstrapMembers: settings.council, options: settings.councilOptions, seed: seed,
          restoring: stored)
      {
        council = restored
      } else {
        council = Council(
          id: me, bootstrapMembers: settings.council, options: settings.councilOptions, seed: seed)
      }
    case .fdfl:
      break
    }
  }

  public var isCoordinator: Bool { coordinator != nil }

  /// Whether this node is a member of the council's current configuration.
  public var isCouncilMember: Bool { council?.members.contains(me) ?? false }

  /// Whether the runtime must drive this node with ticks (council members and SWIM members).
  public var wantsTicks: Bool {
    isCouncilMember || membership != nil || settings.mode == .federated && coordinator != nil
  }

  /// Handles one input; the effects list every `.persist` first (the ordering contract above).
  public mutating func handle(_ input: NodeInput) -> [NodeEffect] {
    if case .evaluated(let round, let accuracy) = input {
      if round == committedRound { lastAccuracy = accuracy }
      return []
    }
    let effects = step(input)
    // A stable partition: writes keep their order, and so do the other effects.
    return effects.filter(\.isDurable) + effects.filter { !$0.isDurable }
  }

  mutating func step(_ input: NodeInput) -> [NodeEffect] {
    switch input {
    case .tick(let time):
      now = time
      return tick()
    case .received(let sender, let message, let time):
      now = time
      lastHeard[sender] = time
      setAsideUntil[sender] = nil
      return receive(message, from: sender)
    case .trainingFinished(let round, let weight, let delta, let time):
      now = time
      guard let aggregator = aggregatorOfMine else { return [] }
      var sent = workerMomentum.map { _ in workerMomentum!.apply(to: delta) } ?? delta
      if let local = settings.security?.localPrivacy {
        var generator = SeededGenerator(seed: seed ^ round &* 0x10CA_1D9)
        sent = local.privatizedLocally(sent, using: &generator)
        localPrivacyRounds += 1
      }
      let update = RoundMessage.update(round: round, weight: weight, values: sent)
      return aggregator == me
        ? receive(.round(update), from: me) : [.send(to: aggregator, .round(update))]
    case .evaluated:
      return []
    }
  }

  // MARK: Time

  mutating func tick() -> [NodeEffect] {
    var effects =
      councilStep(.tick(now: now)) + requestAwaitedModel() + pushHeldModel()
      + membershipStep(.tick(now: now))
    effects += aggregate(group.handle(.tick(now: now, unreachable: peersKnownDown())))
    guard coordinator != nil else { return effects }
    let silent = Set(
      (council?.members ?? []).filter {
        $0 != me && now - (lastHeard[$0] ?? 0) > settings.aggregatorSilenceMilliseconds
      })
    effects += coordinate(coordinator!.handle(.tick(now: now, unreachable: silent)))
    effects += maintainCouncil()
    if coordinator?.openRound == nil, now >= nextOpenTime, awaitedCommits.isEmpty {
      effects += openRound()
    }
    return effects
  }

  /// How often the coordinator re-sends a published model to members that have not stored it.
  static let modelPushIntervalMilliseconds: UInt64 = 500

  /// Counts a council member that holds the held commit's model; proposes the commit once a
  /// majority of the council does.
  mutating func acknowledgeModel(_ digest: Digest, from member: PeerID) -> [NodeEffect] {
    guard let commit = heldCommit, commit.model == digest, let council else { return [] }
    guard council.members.contains(member) else { return [] }
    modelHolders.insert(member)
    return proposeHeldCommitIfHeld()
  }

  /// Proposes the held commit once a majority of the current council holds its model (checked
  /// again when the council changes: a retired member no longer counts, and a smaller council
  /// needs fewer holders).
  mutating func proposeHeldCommitIfHeld() -> [NodeEffect] {
    guard let commit = heldCommit, let council else { return [] }
    let holders = modelHolders.intersection(council.members)
    guard holders.count * 2 > council.members.count else { return [] }
    heldCommit = nil
    return councilStep(.propose(.commitRound(commit)))
  }

  /// Re-sends the held commit's model to members that have not said they store it.
  mutating func pushHeldModel() -> [NodeEffect] {
    guard let commit = heldCommit, now >= nextModelPush, let values = publishedModels[commit.model]
    else {
      return []
    }
    nextModelPush = now + Self.modelPushIntervalMilliseconds
    return (council?.members ?? []).filter { !modelHolders.contains($0) }.map {
      .send(to: $0, .round(.model(round: commit.round, digest: commit.model, values: values)))
    }
  }

  /// Asks the council members in turn for the bytes of the newest committed model this node
  /// lacks; any member that holds it answers (the model of a committed round is held by a
  /// majority, so someone always can once enough members are up).
  mutating func requestAwaitedModel() -> [NodeEffect] {
    guard let commit = awaitedCommits.values.max(by: { $0.round < $1.round }),
      now >= nextModelRequest
    else {
      return []
    }
    let others = (council?.members ?? settings.council).filter { $0 != me }
    guard !others.isEmpty else { return [] }
    nextModelRequest = now + Self.modelRequestIntervalMilliseconds
    modelRequestTurn += 1
    return [
      .send(
        to: others[modelRequestTurn % others.count], .round(.requestModel(digest: commit.model)))
    ]
  }

  /// The share of the trainers one round samples (the privacy accountant's sampling rate).
  var samplingRate: Double {
    let population = max(peers.count - (council?.members.count ?? settings.council.count), 1)
    return min(Double(settings.plan.trainersPerRound) / Double(population), 1)
  }

  /// The epsilon spent by the committed rounds, with client-level privacy.
  public var spentEpsilon: Double? {
    settings.security?.centralPrivacy?.epsilon(
      afterRounds: Int(committedRound), samplingRate: samplingRate)
  }

  mutating func openRound() -> [NodeEffect] {
    if let privacy = settings.security?.centralPrivacy, let budget = privacy.epsilonBudget,
      privacy.epsilon(afterRounds: Int(committedRound) + 1, samplingRate: samplingRate) > budget
    {
      guard !isPrivacyBudgetExhausted else { return [] }
      isPrivacyBudgetExhausted = true
      return [.privacyBudgetExhausted(epsilon: spentEpsilon ?? 0)]
    }
    var roleEffects: [NodeEffect] = []
    let aggregators: [PeerID]
    switch settings.mode {
    case .federated:
      aggregators = [me]
    case .fdfl:
      let members = council?.members ?? settings.council
      let live = members.filter {
        $0 != me && now - (lastHeard[$0] ?? 0) <= settings.aggregatorSilenceMilliseconds
          && isBelievedAlive($0)
      }
      if live.isEmpty {
        aggregators = [me]
      } else {
        let chosen = chooseRoles(among: live)
        if chosen != (proposedRoles ?? roles) {
          proposedRoles = chosen
          roleEffects += councilStep(.propose(.assignRoles(chosen)))
        }
        if chosen.coordinator != me {
          return roleEffects + handOver(to: chosen.coordinator)
        }
        aggregators = chosen.aggregators
      }
    }
    let councilSet = Set(council?.members ?? settings.council)
    let candidates = peers.filter {
      (!councilSet.contains($0) || settings.mode == .federated && $0 != me) && isBelievedAlive($0)
    }
    // Peers set aside are left out while others can train. When none can, they are tried at
    // once: a round without trainers would wait out their minute for nothing.
    let fresh = candidates.filter { !isSetAside($0) }
    let trainers = fresh.isEmpty ? candidates : fresh
    seed &+= 0x9E37_79B9_7F4A_7C15
    nextOpenTime = now + settings.plan.roundDurationMilliseconds
    return roleEffects
      + coordinate(
        coordinator!.handle(
          .open(
            now: now, trainers: trainers.map { TrainerCandidate(peer: $0) },
            aggregators: aggregators,
            seed: seed)))
  }

  // MARK: Messages

  mutating func receive(_ message: Message, from sender: PeerID) -> [NodeEffect] {
    switch message {
    case .council(let councilMessage):
      return councilStep(.received(from: sender, councilMessage, now: now))
    case .membership(let membershipMessage):
      return membershipStep(.received(from: sender, membershipMessage, now: now))
    case .round(let round):
      return receiveRound(round, from: sender)
    }
  }

  mutating func receiveRound(_ message: RoundMessage, from sender: PeerID) -> [NodeEffect] {
    switch message {
    case .aggregate(let start):
      return aggregate(group.handle(.roundStarted(start, coordinator: sender, now: now)))
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
      return aggregate(
        group.handle(.update(from: sender, round: number, weight: weight, values: values, now: now))
      )
    case .partial(let number, let weight, let trainers, let values):
      guard coordinator != nil else { return [] }
      return coordinate(
        coordinator!.handle(
          .partial(
            from: sender, round: number, weight: weight, trainers: trainers, values: values,
            now: now)))
    case .model(let number, let digest, let values):
      guard values.count == settings.modelLength, Digest.of(values: values) == digest else {
        return []
      }
      let effects = receiveModel(round: number, digest: digest, values: values)
      return waitingModelRequests.isEmpty ? effects : effects + answerWaitingModelRequests()
    case .modelStored(let digest):
      return acknowledgeModel(digest, from: sender)
    case .requestModel(let digest):
      if digest == Digest.of(values: model) {
        return [
          .send(to: sender, .round(.model(round: committedRound, digest: digest, values: model)))
        ]
      }
      if let values = publishedModels[digest] {
        return [
          .send(
            to: sender, .round(.model(round: committedRound + 1, digest: digest, values: values)))
        ]
      }
      // Not here yet (an aggregator that joined the council is still fetching the round's base,
      // say): answer once it arrives; the trainer asks only once.
      if waitingModelRequests[digest, default: []].count < Self.waitingModelRequestsMax {
        waitingModelRequests[digest, default: []].insert(sender)
      }
      return []
    }
  }

  /// Answers the requests for models that arrived since (called when a model arrives).
  mutating func answerWaitingModelRequests() -> [NodeEffect] {
    var effects: [NodeEffect] = []
    let current = Digest.of(values: model)
    for (digest, requesters) in waitingModelRequests {
      let answer: RoundMessage?
      if digest == current {
        answer = .model(round: committedRound, digest: digest, values: model)
      } else if let values = publishedModels[digest] {
        answer = .model(round: committedRound + 1, digest: digest, values: values)
      } else {
        answer = nil
      }
      guard let answer else { continue }
      waitingModelRequests[digest] = nil
      for requester in requesters.sorted() { effects.append(.send(to: requester, .round(answer))) }
    }
    // A request can wait for a model that never comes (it was never committed here): keep at
    // most a few digests.
    if waitingModelRequests.count > Self.waitingModelDigestsMax {
      waitingModelRequests = [:]
    }
    return effects
  }

  /// Bounds on requests for models this node does not hold yet.
  static let waitingModelRequestsMax = 10_000
  static let waitingModelDigestsMax = 4

  mutating func receiveModel(round: UInt64, digest: Digest, values: [Float]) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    let isTrainingBase = pendingTraining?.base == digest
    if let commit = awaitedCommits.removeValue(forKey: digest) {
      effects += adopt(commit, values: values)
    } else if settings.mode == .fdfl, council != nil, !isTrainingBase, round > committedRound {
      // A published model that is not committed yet (pushed to council members, this one
      // included even while the entry that adds it is still on its way): keep it (durably)
      // until its commit applies, and tell the coordinator, who commits only once a majority
      // holds it.
      if publishedModels[digest] == nil {
        publishedModels[digest] = values
        effects.append(.persist(.heldModel(digest: digest, values: values)))
      }
      if isCouncilMember, let leader = council?.leader, leader != me {
        effects.append(.send(to: leader, .round(.modelStored(digest: digest))))
      }
    } else if round > committedRound || (round == committedRound && !isCouncilMember) {
      // A committed model: a round's base (rounds train from the last committed model) or a
      // federated broadcast.
      committedRound = round
      model = values
      if !isCouncilMember { publishedModels = [:] }
      effects.append(
        .persist(
          .committedModel(round: round, values: values, releasesHeldModels: !isCouncilMember)))
    }
    if let pending = pendingTraining, pending.base == digest {
      pendingTraining = nil
      effects.append(
        .train(round: pending.round, model: values, deadlineMilliseconds: pending.deadline))
    }
    return effects
  }

  // MARK: Membership

  mutating func membershipStep(_ event: MembershipEvent) -> [NodeEffect] {
    guard membership != nil else { return [] }
    var effects: [NodeEffect] = []
    if !membership!.isMember, !isJoining {
      // The first council member founds the group; everyone else joins through the council.
      isJoining = true
      let bootstrap = me == settings.council[0] ? [] : settings.council.filter { $0 != me }
      effects += Self.translate(membership!.handle(.join(bootstrap: bootstrap, now: now)))
    }
    return effects + Self.translate(membership!.handle(event))
  }

  var isJoining = false

  /// Static on purpose: `translate(membership!.handle(event))` as an instance method would copy
  /// `self` before the argument mutates `membership`, so every membership event would copy the
  /// whole member table (copy-on-write), O(n) per event.
  static func translate(_ actions: [MembershipAction]) -> [NodeEffect] {
    actions.compactMap { action in
      if case .send(let peer, let message) = action { return .send(to: peer, .membership(message)) }
      return nil
    }
  }

  /// Peers SWIM holds as suspect, dead or gone (empty without membership).
  func peersKnownDown() -> Set<PeerID> {
    guard let membership, membership.isMember else { return [] }
    return membership.membersNotAlive
  }

  /// Whether `peer` may be up: false only when SWIM knows it as suspect, dead or gone. A peer
  /// SWIM has no record of is not excluded. A node that rejoins after a restart hears only a
  /// sample of the group, plus the rumours still in flight, so "unknown" does not mean "down".
  func isBelievedAlive(_ peer: PeerID) -> Bool {
    guard let membership, membership.isMember, let member = membership.member(peer) else {
      return true
    }
    return member.status == .alive
  }

  // MARK: Council

  mutating func councilStep(_ event: CouncilEvent) -> [NodeEffect] {
    guard council != nil else { return [] }
    var effects: [NodeEffect] = []
    var actions = council!.handle(event)
    // The runtime makes this step's writes durable before it sends anything (the ordering
    // contract), so the council may take them as durable now: messages it held for them are
    // released into this step, behind the writes.
    if let sequence = actions.lazy.compactMap(\.writeSequence).last {
      actions += council!.handle(.persisted(upTo: sequence))
    }
    for action in actions {
      switch action {
      case .persist(let write):
        effects.append(.persist(.council(write)))
      case .send(let peer, let message):
        effects.append(.send(to: peer, .council(message)))
      case .commit(let entries):
        for entry in entries { effects += apply(entry.command) }
        // A new leader knows what is committed only once an entry of its own term commits
        // (its no-op); by then every earlier entry has been applied here, so it coordinates
        // from the true committed state and never reuses a started round's number.
        if let term = leadershipTerm, coordinator == nil,
          entries.contains(where: { $0.term == term })
        {
          becomeCoordinator()
        }
      case .becameLeader(let term):
        leadershipTerm = term
        effects.append(.becameCoordinator(term: term))
      case .becameFollower(_, let leader):
        if let leader, leader != me { lastFollowedLeader = leader }
        leadershipTerm = nil
        proposedRoles = nil
        coordinator = nil
        heldCommit = nil
      case .rejectedProposal:
        break
      }
    }
    return effects
  }

  mutating func becomeCoordinator() {
    // Every member gets a full silence period from now: a coordinator that just restarted has
    // heard from nobody yet, and a follower hears only from its leader, so neither may take that
    // for silence. The leader this node last followed is the exception: its silence is what
    // made this node campaign, so it keeps what was last heard from it (a crashed coordinator
    // gets no aggregators in the first round, a handed-over one stays live by its messages).
    for member in council?.members ?? [] where member != me && member != lastFollowedLeader {
      lastHeard[member] = max(lastHeard[member] ?? 0, now)
    }
    coordinatingSince = now
    coordinator = RoundCoordinator(
      plan: settings.plan, committedRound: committedRound, model: model,
      lastStartedRound: lastStartedRound)
    coordinator!.combinesPartialsExternally =
      settings.security?.needsCoordinatorCombination ?? false
    outerOptimizer = settings.security?.outerOptimizer?.make()
    previousCombinedDelta = nil
    // Wait two heartbeats so the new coordinator hears which council members are up.
    nextOpenTime = now + 2 * settings.councilOptions.heartbeatMilliseconds
  }

  /// Applies a committed log entry (idempotent: a restarted member re-applies its log).
  mutating func apply(_ command: CouncilCommand) -> [NodeEffect] {
    switch command {
    case .startRound(let start):
      var effects: [NodeEffect] = []
      if start.round > lastStartedRound {
        lastStartedRound = start.round
        effects.append(.persist(.startedRound(start.round)))
      }
      return effects
        + (coordinator.map { _ in coordinate(coordinator!.handle(.startCommitted(start))) } ?? [])
    case .commitRound(let commit):
      guard commit.round > committedRound else { return [] }
      if commit.model == Digest.of(values: model) { return adopt(commit, values: model) }
      if let values = publishedModels[commit.model] { return adopt(commit, values: values) }
      awaitedCommits[commit.model] = commit
      let source = council?.leader ?? settings.council[0]
      return source == me ? [] : [.send(to: source, .round(.requestModel(digest: commit.model)))]
    case .assignRoles(let assignment):
      roles = assignment
      return []
    case .removeCouncilMember(let peer):
      // Removed because it fell silent: set aside, so no coordinator waits on it soon again.
      if peer != me, now - (lastHeard[peer] ?? 0) > settings.aggregatorSilenceMilliseconds {
        setAside(peer)
      }
      return [.councilChanged(members: council?.members ?? [])] + proposeHeldCommitIfHeld()
    case .addCouncilMember, .retireCouncilMember:
      return [.councilChanged(members: council?.members ?? [])] + proposeHeldCommitIfHeld()
    case .noOperation, .ban:
      return []
    }
  }

  mutating func adopt(_ commit: RoundCommit, values: [Float]) -> [NodeEffect] {
    guard commit.round > committedRound else { return [] }
    committedRound = commit.round
    model = values
    lastAccuracy = nil
    publishedModels = [:]
    var effects: [NodeEffect] = [
      .persist(.committedModel(round: commit.round, values: values, releasesHeldModels: true))
    ]
    if commit.round > lastStartedRound {
      lastStartedRound = commit.round
      effects.append(.persist(.startedRound(commit.round)))
    }
    // Older commits still waiting for bytes are superseded: nobody needs their models now.
    awaitedCommits = awaitedCommits.filter { $0.value.round > commit.round }
    nextOpenTime = now + settings.roundGapMilliseconds
    lastContributors = commit.trainers
    effects.append(.committed(commit))
    if let open = coordinator?.openRound, open.round == commit.round {
      // Trainers that did not contribute (crashed, unreachable, too slow): a later coordinator
      // does not wait for them again soon.
      let contributed = Set(commit.trainers)
      for assignment in open.assignments where !contributed.contains(assignment.trainer) {
        setAside(assignment.trainer)
      }
    }
    if coordinator != nil {
      effects += coordinate(coordinator!.handle(.commitCommitted(commit, values: values)))
    }
    return effects
  }

  /// Leaves `peer` out of the trainer samples for `setAsideMilliseconds`.
  mutating func setAside(_ peer: PeerID) {
    guard peer != me else { return }
    setAsideUntil[peer] = now + settings.setAsideMilliseconds
  }

  func isSetAside(_ peer: PeerID) -> Bool {
    setAsideUntil[peer].map { now < $0 } ?? false
  }

  /// Published models this node holds and has acknowledged, not yet committed.
  public var storedModels: [Digest: [Float]] { publishedModels }

  // MARK: Roles

  /// Aggregator actions become effects; messages to itself are handled at once.
  mutating func aggregate(_ actions: [GroupAggregation.Action]) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for action in actions {
      switch action {
      case .send(let peer, let message) where peer == me:
        effects += receiveRound(message, from: me)
      case .send(let peer, let message):
        effects.append(.send(to: peer, .round(message)))
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
      case .combine(let round, let coordinator, let updates):
        effects += sendRobustPartial(round: round, coordinator: coordinator, updates: updates)
      }
    }
    return effects
  }

  /// Combines a group with the project's robust pipeline and sends the partial: the robust
  /// aggregate scaled by the group's total weight, so the coordinator's weighted combination of
  /// partials stays what it is for plain sums.
  mutating func sendRobustPartial(
    round: UInt64, coordinator: PeerID, updates: [GroupAggregation.ContributedUpdate]
  ) -> [NodeEffect] {
    guard let security = settings.security else { return [] }
    let totalWeight = updates.reduce(UInt64(0)) { $0 + UInt64($1.weight) }
    let previous = previousGroupAggregate.flatMap { $0.count == settings.modelLength ? $0 : nil }
    // Trainers whose updates have pointed against the aggregate for rounds are left out (all
    // of them never are).
    if reputation == nil, let decay = security.reputationDecay {
      reputation = ReputationBook(decay: decay)
    }
    let distrusted = Set(updates.map(\.trainer).filter { reputation?.isDistrusted($0) ?? false })
    let trusted =
      distrusted.count == updates.count
      ? updates : updates.filter { !distrusted.contains($0.trainer) }
    // The round's base is the last committed model, which this aggregator holds.
    var (aggregate, report) = security.combine(
      trusted, previousAggregate: previous, globalModel: model,
      seed: seed ^ round &* 0x9E37_79B9_7F4A_7C15)
    if trusted.count < updates.count {
      report = "reputation left out \(distrusted.map(\.description).sorted()); " + report
    }
    reputation?.record(updates.map { ($0.trainer, $0.values) }, aggregate: aggregate)
    previousGroupAggregate = aggregate
    let scale = Float(totalWeight)
    let partial = RoundMessage.partial(
      round: round, weight: totalWeight, trainers: updates.map(\.trainer),
      values: aggregate.map { $0 * scale })
    let effects: [NodeEffect] = [.aggregated(round: round, report: report)]
    return effects
      + (coordinator == me
        ? receiveRound(partial, from: me) : [.send(to: coordinator, .round(partial))])
  }

  /// Coordinator actions: proposals go to the council (fdfl) or commit at once (federated).
  mutating func coordinate(_ actions: [RoundCoordinator.Action]) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for action in actions {
      switch action {
      case .propose(let command) where settings.mode == .federated:
        effects += apply(command)
        if case .commitRound = command {
          for peer in peers where peer != me {
            effects.append(
              .send(
                to: peer,
                .round(
                  .model(round: committedRound, digest: Digest.of(values: model), values: model))))
          }
        }
      case .propose(.commitRound(let commit)):
        heldCommit = commit
        modelHolders = [me]
        nextModelPush = now + Self.modelPushIntervalMilliseconds
        effects += acknowledgeModel(commit.model, from: me)
      case .propose(let command):
        effects += councilStep(.propose(command))
      case .publishModel(let round, let digest, let values):
        // Durable before the coordinator counts itself among the members that hold it.
        publishedModels[digest] = values
        effects.append(.persist(.heldModel(digest: digest, values: values)))
        if settings.mode == .fdfl {
          for member in council?.members ?? [] where member != me {
            effects.append(
              .send(to: member, .round(.model(round: round, digest: digest, values: values))))
          }
        }
      case .send(let peer, let message) where peer == me:
        effects += receiveRound(message, from: me)
      case .send(let peer, let message):
        effects.append(.send(to: peer, .round(message)))
      case .rejected(let peer, let reason):
        effects.append(.rejected(from: peer, reason))
      case .combine(let round, let base, let partials):
        guard let security = settings.security, coordinator != nil else { break }
        let (delta, report) = security.combinePartials(
          partials, previousAggregate: previousCombinedDelta, globalModel: base,
          seed: seed ^ round &* 0xC0FF_EE11)
        previousCombinedDelta = delta
        effects.append(.aggregated(round: round, report: "coordinator: " + report))
        var next = base
        // The optimizer throws only for mismatched lengths or non-finite values: then the plain
        // delta is applied (the coordinator's checks on partials make this unreachable).
        if outerOptimizer == nil
          || (try? outerOptimizer!.step(model: &next, aggregatedDelta: delta)) == nil
        {
          next = base
          for index in next.indices { next[index] += delta[index] }
        }
        effects += coordinate(coordinator!.handle(.combined(round: round, model: next)))
      }
    }
    return effects
  }
}
