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
  /// How other peers reach this node, as its SWIM record tells them: a real node's contact
  /// (`KEY@host:port`), or a note that it only dials out. Nil: a simulated address.
  public var address: PeerAddress?
  /// Robust aggregation and worker momentum; nil: aggregators sum updates (FedAvg).
  public var security: NodeSecurity?
  /// An aggregator not heard from for this long gets no trainers in the next round, and an open
  /// round stops waiting for it. Council members exchange heartbeats every 100 ms, and an
  /// election takes at least one election timeout (1 s), so a crashed coordinator is always
  /// excluded by its successor.
  public var aggregatorSilenceMilliseconds: UInt64
  /// The project ends at this committed round: no coordinator opens another (nil: no end; the
  /// simulator stops the run itself).
  public var roundsMax: UInt64?
  /// Whether council members also train their own shards in each round (fdfl), as every client
  /// does in Flower's runs; by default the council only coordinates and aggregates.
  public var councilMembersTrain = false
  /// A peer outside the founding council is brought into the council (to replace a member or by
  /// rotation) only once it trained in at least this many committed rounds, counted from the
  /// replicated log: a fresh identity (a Sybil) cannot be ranked into the council at once.
  /// 0: no wait.
  public var councilEligibleAfterRounds = 0
  /// Whether the coordinator bans an aggregator whose partial breaks the protocol (values not
  /// finite or of the wrong length, a trainer outside its group or counted twice): a `ban` entry
  /// in the council log, after which no node samples, ranks or admits it. An honest aggregator
  /// never sends such a partial (it checks each update it sums).
  public var bansMisbehavingAggregators = false
  /// Signed contributions: trainers sign their updates, aggregators their partials (with the
  /// receipts of the updates they combined), and every signature is checked before the
  /// contribution counts. Real nodes always sign; nil (the simulator's default): unsigned.
  public var signing: ContributionSigning?
  /// Whether council members check their coordinator: they recompute each model it publishes
  /// from the partials they received from the aggregators themselves, and store and acknowledge
  /// it only when it matches bit for bit (with the built-in mean; see
  /// `NodeController.checksCoordinator`), and they check every role assignment and round start
  /// it appends to the log against the council it names (`entryViolation`). A member that finds
  /// either wrong refuses it and deposes the coordinator.
  public var councilChecksCoordinator = false
  /// Where a coordinator draws each round's combination seed (revealed to the council, so it
  /// must not tell anything about this node's other seeds): the operating system's secure
  /// random generator on real nodes; nil (the simulator): derived from the node's seed, for
  /// runs that replay.
  public var drawsSecretSeed: (@Sendable () -> UInt64)?
  /// The share of plain-sum signed partials the coordinator audits (`security.auditFraction`;
  /// 0, the simulator's default: none). See `NodeController+Audit`.
  public var auditFraction: Double = 0
  /// Whether a council member deposes a leader under which the council makes no progress
  /// (`NodeController+Progress`): no round opens within `openingTimeoutMilliseconds` of the last
  /// commit (or of the leader's term), or an opened round does not commit within
  /// `commitTimeoutMilliseconds`. Real nodes turn it on; the simulator with the council's check.
  public var replacesStalledCoordinator = false

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

extension NodeSettings {
  /// How long a member waits for its leader to open a round after a commit, or after the
  /// leader's term began: the round gap, two of the longest election timeouts (the leader may
  /// hand over first, and its successor must win an election), and 10 s for the messages.
  public var openingTimeoutMilliseconds: UInt64 {
    roundGapMilliseconds + 2 * councilOptions.electionTimeoutMilliseconds.upperBound + 10_000
  }

  /// How long a member waits for an opened round to commit: two round deadlines (its own, and
  /// the time to combine, replicate the model to a majority and commit), plus 10 s.
  public var commitTimeoutMilliseconds: UInt64 {
    2 * plan.roundDurationMilliseconds + 10_000
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
  /// A peer joined the project (or said again what it is): it authenticated to this node and
  /// sent its profile. A new peer can be sampled as a trainer from the next round on. The
  /// runtime also gives a node its own profile this way when it starts.
  case peerJoined(PeerID, PeerProfile, now: UInt64)
  /// A peer said it is leaving (it stopped cleanly): it is no longer sampled or ranked.
  case peerLeft(PeerID, now: UInt64)
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
  /// A `ban` entry was applied: `peer` is no longer sampled, ranked or admitted.
  case banned(PeerID, reason: String)
  /// This council member refused `coordinator`'s published model: it is not the combination of
  /// the partials the coordinator named (the evidence says what was recomputed).
  case coordinatorRefused(PeerID, evidence: String)
  /// `coordinator` listed this council member absent from a role assignment while the member
  /// heard from it without a gap. Only logged: an honest coordinator whose view of the member's
  /// answers is late (a congested link) makes the same claim.
  case coordinatorObjected(PeerID, evidence: String)
  /// No round opened or committed under `coordinator` within the member's bound: this member
  /// deposed it (until `rotateEvery` more rounds commit), and says for how long it waited.
  case coordinatorStalled(PeerID, evidence: String)
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
  /// Every peer this node knows, itself included, in peer order: the starting list, then the
  /// peers that joined (`NodeInput.peerJoined`) less those that left.
  public var peers: [PeerID] { directory.peers }
  public internal(set) var committedRound: UInt64
  public internal(set) var model: [Float] {
    didSet { modelDigest = Digest.of(values: model) }
  }
  /// `Digest.of(values: model)`, kept with every change of `model` so that messages naming the
  /// current model (train requests, model requests, commits, the ranking seed) do not hash it
  /// again: at 100k parameters, rehashing was two thirds of a simulation's time.
  public private(set) var modelDigest: Digest
  public internal(set) var lastStartedRound: UInt64
  public internal(set) var council: Council?
  /// The roles in force: the last committed `assignRoles`.
  public internal(set) var roles: RoleAssignment?
  var seed: UInt64
  var now: UInt64 = 0
  /// The last leader this node followed (not itself).
  var lastFollowedLeader: PeerID?
  /// The accuracy of the committed model, when the runtime reported it for the current round.
  var lastAccuracy: Double?
  /// Client-level privacy spent by the committed rounds (with central privacy).
  var privacy = PrivacyLedger()
  /// Committed rounds each peer trained in, from the log (council members), for
  /// `councilEligibleAfterRounds`; and the last round counted (a re-applied commit counts once).
  var contributedRounds: [PeerID: Int] = [:]
  /// Peers banned through the council log, with the reason (replicated state).
  public internal(set) var bannedPeers: [PeerID: String] = [:]
  var contributionsCountedRound: UInt64 = 0
  /// Trainer reputation (with `security.reputationDecay`), replicated: the judgements of every
  /// committed round, applied in log order, so every aggregator leaves out the same trainers.
  public internal(set) var reputation: ReputationBook<PeerID>?
  /// Signed messages received since the last commit, by author and nonce (replays are refused;
  /// a signature from an earlier round fails its round check anyway).
  var seenAttestations: Set<AttestationKey> = []
  /// The nonce of this node's next signature.
  var nextNonce: UInt64 = 0
  /// What this council member needs to check its coordinator's models.
  var combinationCheck = CombinationCheck()
  /// The outer optimizer's replicated state (with `keepsOuterState`).
  var outerState: OuterStateReplication
  /// Coordinators this member caught publishing a forged model, with the evidence.
  public internal(set) var suspectedCoordinators: [PeerID: String] = [:]
  /// The digest of the initial model (the first epoch's ranking seed), when this node started
  /// from it; nil for a node restarted from a committed round.
  let genesisDigest: Digest?
  /// The committed roles state as of a log index (`committedRoles(through:)`).
  var committedRolesCache = CommittedRolesCache()
  /// The leader this member has heard from without a gap, in one term, and since when.
  var leaderContact: LeaderContact?
  /// The log entries this member objected to (`coordinatorObjected`, once each).
  var objectedEntries: Set<UInt64> = []
  /// What this member waits for its leader to do next, and since when
  /// (`replacesStalledCoordinator`).
  var progressWatch: ProgressWatch?
  /// The highest round started, and the highest committed, in the log as applied here (a
  /// commit applies before its model's bytes arrive; `committedRound` waits for them).
  var appliedRounds: (started: UInt64, committed: UInt64) = (0, 0)
  /// Leaders this member deposed because the council made no progress under them, with the
  /// highest committed round then: they are pardoned once `rotateEvery` more rounds commit, and
  /// until then, as coordinator, this node leaves them out as absent.
  public internal(set) var stalledCoordinators: [PeerID: UInt64] = [:]

  var trainerRole = TrainerRole()
  var aggregatorRole: AggregatorRole
  var coordinatorRole = CoordinatorRole()
  var replication: ModelReplication
  var liveness: PeerLiveness
  var directory: PeerDirectory

  /// The trainer reputation before any commit (with `security.reputationDecay`).
  static func emptyReputation(_ settings: NodeSettings) -> ReputationBook<PeerID>? {
    settings.security?.reputationDecay.map { ReputationBook(decay: $0) }
  }

  /// A node from its durable state (all zeros and the initial model on first start).
  public init(
    me: PeerID, settings: NodeSettings, peers: [PeerID], durable: NodeDurableState, seed: UInt64
  ) {
    precondition(durable.model.count == settings.modelLength, "model length")
    self.me = me
    self.settings = settings
    directory = PeerDirectory(peers: peers + [me])
    self.seed = seed
    committedRound = durable.committedRound
    model = durable.model
    modelDigest = Digest.of(values: durable.model)
    genesisDigest = durable.committedRound == 0 ? modelDigest : nil
    // The initial model's state is empty; a later one's is the stored one (checked against the
    // log's commit when it is missing or stale: `requestOuterState`).
    outerState =
      durable.outerState.map { OuterStateReplication(model: $0.model, values: $0.values) }
      ?? OuterStateReplication(
        model: durable.committedRound == 0 ? modelDigest : .zero, values: [])
    lastStartedRound = durable.lastStartedRound
    replication = ModelReplication(published: durable.storedModels)
    reputation = Self.emptyReputation(settings)
    liveness = PeerLiveness(me: me, setAsideMilliseconds: settings.setAsideMilliseconds)
    if let configuration = settings.membership {
      let record = MemberRecord(
        peer: me, address: PeerAddress("simulated:\(me)"),
        capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
        joinedAtMilliseconds: 0)
      liveness.membership = Membership(
        myself: record, configuration: configuration, seed: seed ^ 0x5717)
    }
    aggregatorRole = AggregatorRole(
      me: me, modelLength: settings.modelLength, security: settings.security)
    if let beta = settings.security?.workerMomentum {
      trainerRole.workerMomentum = WorkerMomentum(beta: beta)
    }
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
    if let signing = settings.signing {
      council?.entrySigner = { entry, nonce in signing.attestation(of: entry, nonce: nonce) }
    }
    restoreFromAppliedLog(durable)
  }

  public var isCoordinator: Bool { coordinatorRole.isCoordinating }

  /// Whether this node is a member of the council's current configuration.
  public var isCouncilMember: Bool { council?.members.contains(me) ?? false }

  /// SWIM failure detection (when `settings.membership` is set).
  public var membership: Membership? { liveness.membership }

  /// Rounds in which this trainer sent a locally privatized update.
  public var localPrivacyRounds: Int { trainerRole.localPrivacyRounds }

  /// Published models this node holds and has acknowledged, not yet committed.
  public var storedModels: [Digest: [Float]] { replication.published }

  /// Whether the runtime must drive this node with ticks (council members and SWIM members).
  public var wantsTicks: Bool {
    isCouncilMember || liveness.membership != nil || settings.mode == .federated && isCoordinator
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
      liveness.heard(from: sender, now: time)
      return receive(message, from: sender)
    case .trainingFinished(let round, let weight, let delta, let time):
      now = time
      guard
        let (aggregator, update) = trainerRole.update(
          round: round, weight: weight, delta: delta,
          localPrivacy: settings.security?.localPrivacy, seed: seed)
      else { return [] }
      let sent = signed(update, for: aggregator)
      return aggregator == me
        ? receive(.round(sent), from: me) : [.send(to: aggregator, .round(sent))]
    case .evaluated:
      return []
    case .peerJoined(let peer, let profile, let time):
      now = time
      if peer != me { liveness.heard(from: peer, now: time) }
      if peer == me, let configuration = settings.membership, liveness.membership?.isMember != true,
        !liveness.isJoining
      {
        // A real node's first input: its SWIM record carries its measured capacity, its
        // address and the time it joined, instead of the simulated placeholders.
        liveness.membership = Membership(
          myself: MemberRecord(
            peer: me, address: settings.address ?? PeerAddress("simulated:\(me)"),
            capacity: profile.capacity, joinedAtMilliseconds: time),
          configuration: configuration, seed: seed ^ 0x5717)
      }
      directory.join(peer, profile: profile, now: time)
      // A trainer of this aggregator's open round that (re)connects gets the round's request:
      // the first one may have found no connection to it.
      if peer != me, let request = aggregatorRole.group.trainRequest(for: peer) {
        return [.send(to: peer, .round(request))]
      }
      return []
    case .peerLeft(let peer, let time):
      now = time
      guard peer != me, directory.leave(peer) else { return [] }
      liveness.setAside(peer, now: time)
      return []
    }
  }
}
