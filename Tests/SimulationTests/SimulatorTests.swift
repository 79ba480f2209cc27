import Aggregation
import Coordination
import Datasets
import Learning
import Node
import Simulation
import Testing
import Wire

/// Federated rounds in the simulator with real training on synthetic images.
struct SimulatorTests {
  func makeSimulator(
    seed: UInt64, peers: Int = 5, rounds: Int = 4, loss: Double = 0,
    mode: TopologyMode = .federated,
    councilSize: Int = 1, dataless: Set<Int> = [],
    configure: (inout SimulationSettings) -> Void = { _ in }
  ) throws -> Simulator {
    let train = LabeledDataset.brightSquares(classCount: 4, count: 400, seed: 1)
    let test = LabeledDataset.brightSquares(classCount: 4, count: 100, seed: 2)
    let parts = try Partitioning.dirichlet(alpha: 0.5).partition(
      labels: train.labels, classCount: 4, peerCount: peers - councilSize, seed: seed)
    let model = ModelArchitecture.mlp(inputs: 784, classes: 4).makeModel(seed: 3)
    let training = ShardTraining(
      model: model,
      shards: (Array(repeating: train.subset([]), count: councilSize)
        + parts.map { train.subset($0) }).enumerated().map {
          dataless.contains($0.offset) ? train.subset([]) : $0.element
        },
      test: test, batchSize: 16, learningRate: 0.05, momentum: 0.9, localSteps: nil, seed: seed)
    let council = (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) }
    let node = NodeSettings(
      mode: mode,
      plan: RoundPlan(trainersPerRound: peers - councilSize, roundDurationMilliseconds: 60_000),
      modelLength: training.modelLength, council: council)
    var settings = SimulationSettings(
      seed: seed, peerCount: peers, node: node, rounds: rounds,
      samplesPerSecond: (0..<peers).map { 500 + 300 * Double($0) })
    settings.network = NetworkModel(
      defaultProfile: LinkProfile(lossProbability: loss, duplicationProbability: loss))
    configure(&settings)
    return Simulator(
      settings: settings, training: training, initialModel: model.flattenedParameters())
  }

  @Test func federatedRoundsCommitAndTheModelLearns() throws {
    let report = try makeSimulator(seed: 1).run()
    #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
    #expect(report.rounds.allSatisfy { $0.trainers.count == 4 })
    let accuracy = try #require(report.rounds.last?.accuracy)
    #expect(accuracy > 0.9, "bright squares are easy: \(accuracy)")
    #expect(report.rejected == 0)
  }

  @Test func theSameSeedReplaysTheRunExactly() throws {
    let first = try makeSimulator(seed: 7, loss: 0.05).run()
    let second = try makeSimulator(seed: 7, loss: 0.05).run()
    #expect(first.rounds.map(\.virtualMilliseconds) == second.rounds.map(\.virtualMilliseconds))
    #expect(first.rounds.map(\.accuracy) == second.rounds.map(\.accuracy))
    #expect(first.messages == second.messages)
  }

  @Test func duplicatedMessagesAreNeverCountedTwice() throws {
    // With 20% duplication, duplicated updates reach aggregators and are rejected, never
    // double-counted: every committed round lists each trainer at most once. (A duplicated
    // training request no longer starts a second training, so fewer duplicates reach the
    // aggregators than before: several seeds make sure some do.)
    var rejected = 0
    for seed in UInt64(3)...6 {
      let report = try makeSimulator(seed: seed, loss: 0.2).run()
      #expect(report.rounds.count == 4)
      #expect(report.rounds.allSatisfy { Set($0.trainers).count == $0.trainers.count })
      rejected += report.rejected
    }
    #expect(rejected > 0, "some duplicates must have reached an aggregator")
  }
}

extension SimulatorTests {
  /// A trainer with no data sends an update of weight 0: it is refused, its round commits as soon
  /// as the others report, not at the 60 s deadline, and the coordinator leaves it out of the next
  /// samples (a restarted council member without a
  /// shard once held every later round of a run to its deadline this way).
  @Test func aTrainerWithNoDataDoesNotHoldItsRoundToTheDeadline() throws {
    let report = try makeSimulator(seed: 5, dataless: [2]).run()
    #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
    #expect(report.rounds.allSatisfy { $0.trainers.count == 3 })
    // Refused in the first round, then set aside (it contributed nothing) for a minute.
    #expect(report.rejected == 1)
    let last = try #require(report.rounds.last)
    #expect(last.virtualMilliseconds < 30_000, "rounds waited for the deadline")
  }

  /// A trainer set aside gets another chance once `setAsideMilliseconds` has passed (without
  /// failure detection, a restarted peer may never speak to the coordinator again).
  @Test func aTrainerSetAsideIsSampledAgainLater() throws {
    let report = try makeSimulator(seed: 5, dataless: [2]) { settings in
      settings.node.setAsideMilliseconds = 1_000
    }.run()
    #expect(report.rounds.count == 4)
    #expect(report.rejected >= 2, "sampled again after a second")
  }

  @Test(arguments: [11, 12, 13] as [UInt64])
  func churnAndACoordinatorCrashLoseNoCommittedRound(seed: UInt64) throws {
    let simulator = try makeSimulator(seed: seed, peers: 8, rounds: 8, loss: 0.05) { settings in
      settings.faultPhaseMilliseconds = 20_000
      settings.crashFraction = 0.3
      settings.downtimeMilliseconds = 1_000...8_000
      settings.coordinatorCrashes = [6_000]
      settings.livenessBoundMilliseconds = 200_000
    }
    let report = simulator.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.crashes >= 3)
    #expect(report.rounds.map(\.round) == report.rounds.map(\.round).sorted())
    #expect(report.rounds.count == 8, "training goes on after the coordinator restarts")
  }
}

/// FDFL: the council elects the coordinator; aggregators in between; failover on crashes.
struct FDFLSimulatorTests {
  let base = SimulatorTests()

  @Test func councilElectsACoordinatorAndRoundsFlowThroughAggregators() throws {
    // A fixed council: rotation would add a fifth member for a while.
    let report = try base.makeSimulator(seed: 21, peers: 10, rounds: 4, mode: .fdfl, councilSize: 4)
    {
      $0.node.replacesCouncilMembers = false
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
    #expect(report.rounds.allSatisfy { $0.aggregators.count == 3 && $0.trainers.count == 6 })
    #expect(try #require(report.rounds.last?.accuracy) > 0.9)
  }

  @Test(arguments: [31, 32, 33, 34] as [UInt64])
  func aCrashedCoordinatorIsReplacedByElectionAndTrainingGoesOn(seed: UInt64) throws {
    let simulator = try base.makeSimulator(
      seed: seed, peers: 10, rounds: 12, loss: 0.02, mode: .fdfl, councilSize: 4
    ) {
      settings in
      settings.faultPhaseMilliseconds = 10_000
      settings.coordinatorCrashes = [1_500, 6_000]
      settings.downtimeMilliseconds = 2_000...6_000
      settings.livenessBoundMilliseconds = 120_000
    }
    let report = simulator.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 12)
    #expect(report.coordinatorChanges >= 2)
    #expect(report.failoverMilliseconds.count >= 1)
  }
}

/// SWIM in the node: trainers that crash are detected and no longer sampled.
struct MembershipSimulatorTests {
  @Test func crashedTrainersAreDetectedAndLeftOutOfLaterRounds() throws {
    let simulator = try SimulatorTests().makeSimulator(
      seed: 5, peers: 12, rounds: 12, mode: .fdfl, councilSize: 3
    ) { settings in
      settings.node.membership = MembershipConfiguration()
      settings.faultPhaseMilliseconds = 60_000
      // Two trainers crash early and stay down past the end of the run.
      settings.crashes = [(peer: 5, at: 3_000), (peer: 8, at: 3_000)]
      settings.downtimeMilliseconds = 500_000...500_000
      settings.livenessBoundMilliseconds = 200_000
    }
    let report = simulator.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 12)
    #expect(report.membershipMessages > 0)
    let last = try #require(report.rounds.last)
    let crashed: Set<PeerID> = [PeerID(simulatedIndex: 5), PeerID(simulatedIndex: 8)]
    // Council rotation may have brought trainers into the council, and moved members of the
    // bootstrap council (peers 0-2, which hold no data) out of it: those send updates of weight
    // 0, which are refused, so they are no trainers either.
    let dataless = Set((0..<3).map { PeerID(simulatedIndex: UInt64($0)) })
    let expected = Set((0..<12).map { PeerID(simulatedIndex: UInt64($0)) })
      .subtracting(last.council).subtracting(crashed).subtracting(dataless)
    #expect(
      Set(last.trainers) == expected,
      "every peer with data outside the council but the 2 detected as dead: \(report.rounds.map { ($0.round, $0.trainers.count, $0.aggregators.count, $0.council.count, $0.virtualMilliseconds) })"
    )
    #expect(crashed.isDisjoint(with: last.trainers))
  }
}

/// Aggregators chosen by ranking among the council members, rotating and replaced on failure.
struct RoleRotationSimulatorTests {
  @Test func aggregatorsRotateWithTheRankingAndAFailedOneIsReplacedAtOnce() throws {
    let simulator = try SimulatorTests().makeSimulator(
      seed: 9, peers: 14, rounds: 12, mode: .fdfl, councilSize: 6
    ) { settings in
      settings.node.aggregatorCount = 2
      settings.node.rotateEvery = 3
    }
    let report = simulator.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 12)
    #expect(report.rounds.allSatisfy { $0.aggregators.count <= 2 })
    let distinct = Set(report.rounds.map { Set($0.aggregators) })
    #expect(distinct.count >= 2, "the ranking rotates with the committed model every 3 rounds")
  }

  @Test func aFailedAggregatorIsReplacedByTheNextRankedMember() throws {
    var crashedAggregator: PeerID?
    let first = try SimulatorTests().makeSimulator(
      seed: 10, peers: 14, rounds: 2, mode: .fdfl, councilSize: 6
    ) {
      $0.node.aggregatorCount = 2
      $0.node.rotateEvery = 1_000
      // A fixed council: the test is about aggregators, and the crashed one must stay a member.
      $0.node.replacesCouncilMembers = false
    }.run()
    crashedAggregator = try #require(first.rounds.last?.aggregators.first)
    let index = Int(crashedAggregator!.words.0)
    let report = try SimulatorTests().makeSimulator(
      seed: 10, peers: 14, rounds: 8, mode: .fdfl, councilSize: 6
    ) {
      $0.node.aggregatorCount = 2
      $0.node.rotateEvery = 1_000
      $0.node.replacesCouncilMembers = false
      $0.faultPhaseMilliseconds = 100_000
      $0.crashes = [(peer: index, at: first.rounds.last!.virtualMilliseconds + 1)]
      $0.downtimeMilliseconds = 500_000...500_000
      $0.livenessBoundMilliseconds = 300_000
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 8)
    let later = report.rounds.suffix(3)
    #expect(
      later.allSatisfy {
        !$0.aggregators.contains(crashedAggregator!) && $0.aggregators.count == 2
      },
      "\(report.rounds.map { ($0.round, $0.aggregators, $0.council.count, $0.virtualMilliseconds) })"
    )
  }
}

/// Council members that fail for good are removed and replaced by live peers (Raft membership
/// changes, one at a time), so the council keeps a quorum through permanent failures.
struct CouncilReplacementSimulatorTests {
  func run(replacing: Bool) throws -> SimulationReport {
    try SimulatorTests().makeSimulator(seed: 12, peers: 12, rounds: 40, mode: .fdfl, councilSize: 3)
    { settings in
      settings.node.replacesCouncilMembers = replacing
      settings.faultPhaseMilliseconds = 60_000
      // Two of the three council members die for good, 17 s apart (peers 1 and 2; peer 0 may
      // be the coordinator or not: either way only one original member survives).
      settings.crashes = [(peer: 1, at: 3_000), (peer: 2, at: 20_000)]
      settings.downtimeMilliseconds = 10_000_000...10_000_000
      settings.livenessBoundMilliseconds = 120_000
      settings.timeLimitMilliseconds = 400_000
    }.run()
  }

  @Test func aCouncilThatReplacesDeadMembersKeepsTraining() throws {
    let report = try run(replacing: true)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 40, "training goes on after two of three members die")
  }

  @Test func withoutReplacementTheSameFailuresStopTraining() throws {
    let report = try run(replacing: false)
    #expect(report.rounds.count < 40, "a council of three with two dead members has no quorum")
  }
}

/// Signed contributions in the simulator: the same controller code as real nodes, each peer
/// with its own key.
extension SimulatorTests {
  /// Signing changes what travels, never what is computed: the committed models are the same
  /// bits as an unsigned run's, in federated mode and with a council of aggregators.
  @Test func signedRunsCommitTheSameModelsAsUnsignedOnes() throws {
    for (mode, peers, councilSize) in [(TopologyMode.federated, 5, 1), (.fdfl, 10, 4)] {
      func run(signing: Bool) throws -> SimulationReport {
        try makeSimulator(seed: 21, peers: peers, rounds: 3, mode: mode, councilSize: councilSize) {
          $0.node.replacesCouncilMembers = false
          $0.signsContributions = signing
        }.run()
      }
      let unsigned = try run(signing: false)
      let signed = try run(signing: true)
      #expect(signed.violations.isEmpty, "\(signed.violations)")
      #expect(signed.rejected == 0, "\(mode): nothing honest is refused")
      #expect(signed.rounds.map(\.round) == [1, 2, 3], "\(mode)")
      #expect(signed.rounds.map(\.model) == unsigned.rounds.map(\.model), "\(mode)")
      #expect(signed.messages == unsigned.messages, "\(mode)")
    }
  }

  /// Duplicated signed updates (a network that delivers some messages twice replays them) are
  /// refused, never counted twice.
  @Test func duplicatedSignedUpdatesAreRefusedAsReplays() throws {
    var replayed = 0
    for seed in UInt64(3)...6 {
      let report = try makeSimulator(seed: seed, loss: 0.2) { $0.signsContributions = true }.run()
      #expect(report.rounds.count == 4)
      #expect(report.rounds.allSatisfy { Set($0.trainers).count == $0.trainers.count })
      replayed += report.rejectedByReason[ContributionRejection.replayed.description] ?? 0
    }
    // Refused for their replayed signature, before the aggregator's own duplicate check.
    #expect(replayed > 0, "some duplicates must have reached an aggregator")
  }
}

/// Council members that recompute their coordinator's models (`councilChecksCoordinator`).
extension SimulatorTests {
  /// 10 signing peers, a council of 4 that stays as it is and checks its coordinator (unless
  /// `checking` is false), 4 rounds.
  func checkedCouncil(
    seed: UInt64, checking: Bool = true, configure: (inout SimulationSettings) -> Void = { _ in }
  ) throws -> Simulator {
    try makeSimulator(seed: seed, peers: 10, rounds: 4, mode: .fdfl, councilSize: 4) {
      $0.node.replacesCouncilMembers = false
      $0.node.councilChecksCoordinator = checking
      $0.node.replacesStalledCoordinator = checking
      $0.signsContributions = true
      $0.timeLimitMilliseconds = 900_000
      configure(&$0)
    }
  }

  /// What the coordinator combines that the members recompute: the built-in mean, a median over
  /// partials with central Gaussian noise (from the round's committed seed), or robust
  /// pipelines over group sums.
  static func checkedSecurity(_ name: String) -> NodeSecurity? {
    switch name {
    case "median+noise":
      var security = NodeSecurity(
        pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
      security.partialRule = .median
      security.centralPrivacy = CentralPrivacy(
        clipNorm: 10, noiseMultiplier: 0.5, delta: 1e-5, epsilonBudget: nil)
      return security
    case "fedavg":
      // FedAvg's outer step with a learning rate other than 1: stateless, so checkable.
      var security = NodeSecurity(
        pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
      security.outerOptimizer = .fedAvg(learningRate: 0.7)
      return security
    case "nesterov", "fedavgm", "fedadam", "fedyogi":
      // Outer optimizers that keep state: the council replicates it with each commit.
      var security = NodeSecurity(
        pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
      security.outerOptimizer =
        switch name {
        case "nesterov": .nesterov(learningRate: 0.7, momentum: 0.9)
        case "fedavgm": .fedAvgM(learningRate: 1, momentum: 0.9)
        case "fedadam": .fedAdam(learningRate: 0.01)
        default: .fedYogi(learningRate: 0.01)
        }
      return security
    case "sums":
      var security = NodeSecurity(
        pipelines: [AggregationPipeline(rules: [.median])], byzantineFraction: 0.25)
      security.aggregatorsSeeOnlySums = true
      return security
    default:
      return nil
    }
  }

  /// An honest run with a rule over partials and central noise, or robust pipelines over sums,
  /// checked by the council: every model is reproduced and nothing refused.
  @Test(arguments: [
    "median+noise", "sums", "fedavg", "nesterov", "fedavgm", "fedadam", "fedyogi",
  ])
  func checkingARuleAndNoiseOverPartialsRefusesNoHonestModel(security: String) throws {
    let report = try checkedCouncil(seed: 21) {
      $0.node.security = Self.checkedSecurity(security)
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
    #expect(report.coordinatorRefusals == 0 && report.rejected == 0)
    #expect(report.coordinatorStalls.isEmpty, "\(report.coordinatorStalls)")
  }

  /// A stateful outer optimizer's momentum or moments survive the coordinator: the coordinator
  /// crashes twice, each successor goes on from the replicated state (the members recompute
  /// every step from it, so nothing is refused), and every live member of the council ends
  /// with the same state, for the same committed round.
  @Test(arguments: ["nesterov", "fedadam"])
  func theOuterStateIsReplicatedAcrossCoordinatorChanges(security: String) throws {
    let report = try checkedCouncil(seed: 22) {
      $0.node.security = Self.checkedSecurity(security)
      $0.rounds = 8
      $0.coordinatorCrashes = [5_000, 10_000]
      $0.downtimeMilliseconds = 3_000...3_000
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 8)
    #expect(report.coordinatorChanges >= 3, "\(report.rounds.map(\.virtualMilliseconds))")
    #expect(Set(report.rounds.map(\.coordinator)).count >= 2)
    #expect(report.coordinatorRefusals == 0 && report.rejected == 0)
    #expect(report.coordinatorStalls.isEmpty, "\(report.coordinatorStalls)")
    // The run ends when the last round commits at the coordinator: the others may hold the
    // round before's state still. Members of one round hold one state.
    #expect(report.outerStates.count >= 3, "\(report.outerStates)")
    #expect(report.outerStates.values.map(\.round).max() == report.rounds.last?.round)
    for round in Set(report.outerStates.values.map(\.round)) {
      #expect(Set(report.outerStates.values.filter { $0.round == round }.map(\.digest)).count == 1)
    }
    let stateLength = security == "fedadam" ? 2 : 1
    #expect(
      report.outerStates.values.allSatisfy { $0.count == stateLength * report.finalModel!.count })
  }

  /// Honest runs: every model is reproduced, none refused, and the committed models are the same
  /// bits as without the check.
  @Test func checkingTheCoordinatorRefusesNoHonestModel() throws {
    func run(checking: Bool) throws -> SimulationReport {
      try checkedCouncil(seed: 21, checking: checking).run()
    }
    let checked = try run(checking: true)
    let unchecked = try run(checking: false)
    #expect(checked.violations.isEmpty, "\(checked.violations)")
    #expect(checked.coordinatorRefusals == 0 && checked.rejected == 0)
    #expect(checked.coordinatorStalls.isEmpty, "\(checked.coordinatorStalls)")
    #expect(checked.rounds.map(\.round) == [1, 2, 3, 4])
    // The first round is the same bits, and every round has the same trainers. Later models
    // need not be the same bits: the copies of the partials and the notes are traffic of their
    // own, so liveness, and with it which aggregator gets which trainer, can differ, and a
    // float sum grouped otherwise rounds otherwise.
    #expect(checked.rounds.first?.model == unchecked.rounds.first?.model)
    #expect(
      checked.rounds.map(\.trainers) == unchecked.rounds.map(\.trainers),
      "\(checked.rounds.map(\.virtualMilliseconds)) \(unchecked.rounds.map(\.virtualMilliseconds))")
  }

  /// No aggregator's copies reach the council members (as if each died right after its partial
  /// to the coordinator left): the members get each signed partial from the coordinator, check
  /// the aggregator's signature on it, and every round commits with nothing refused.
  @Test func membersGetMissingPartialsFromTheCoordinator() throws {
    let report = try checkedCouncil(seed: 21) {
      $0.aggregatorsWithholdCopies = true
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
    #expect(report.coordinatorRefusals == 0 && report.rejected == 0)
    #expect(report.coordinatorStalls.isEmpty, "\(report.coordinatorStalls)")
    #expect(report.relayedPartials > 0)
  }

  /// The first coordinator forges every model it publishes. The honest members recompute each
  /// one from the partials, refuse it, depose that coordinator and elect another, which bans it
  /// through the log; no forged model is ever committed.
  /// The same with a median over partials and central noise, and with pipelines over sums.
  @Test(
    arguments: [21, 22, 23] as [UInt64],
    [
      "mean", "median+noise", "sums", "fedavg", "nesterov", "fedadam",
    ])
  func aCoordinatorThatForgesModelsIsDeposedAndBanned(seed: UInt64, security: String) throws {
    let report = try checkedCouncil(seed: seed) {
      $0.node.security = Self.checkedSecurity(security)
      $0.node.bansMisbehavingAggregators = true
      $0.firstCoordinatorForgesModels = true
      // The forger keeps its leadership (as `--fault forge-model` does, which drops its
      // handover): with a handover to the ranked member it would coordinate nothing.
      $0.node.handsOverToRankedCoordinator = false
    }.run()
    let forger = try #require(report.forger)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.coordinatorRefusals > 0)
    #expect(!report.forgedModels.isEmpty)
    #expect(report.banned == [forger])
    #expect(report.rounds.map(\.round).count == 4)
    #expect(report.rounds.allSatisfy { !report.forgedModels.contains($0.model) })
    #expect(report.rounds.allSatisfy { $0.coordinator != forger })
  }

  /// A council member dies for good and a trainer replaces it: the newcomer never checked a
  /// round, so it fetches the committed outer state from the others (and checks it against
  /// the log's digest) before it checks a model; training goes on with nothing refused.
  @Test func aNewCouncilMemberFetchesTheOuterState() throws {
    let report = try checkedCouncil(seed: 21) {
      $0.node.security = Self.checkedSecurity("nesterov")
      $0.node.replacesCouncilMembers = true
      $0.node.rotatesCouncilMembers = false
      $0.node.councilMemberSilenceMilliseconds = 3_000
      $0.rounds = 8
      $0.permanentCrashes = [(peer: 2, at: 5_000)]
    }.run()
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 8)
    #expect(report.coordinatorRefusals == 0 && report.rejected == 0)
    #expect(report.coordinatorStalls.isEmpty, "\(report.coordinatorStalls)")
    #expect(report.outerStatesSent > 0)
    #expect(report.outerStates.count >= 3, "\(report.outerStates)")
    for round in Set(report.outerStates.values.map(\.round)) {
      #expect(Set(report.outerStates.values.filter { $0.round == round }.map(\.digest)).count == 1)
    }
  }

  /// The first coordinator publishes honest models but forges the outer optimizer's state in
  /// its notes (the state the next round would go on from). The members recompute the state
  /// too, refuse the model it came with, depose and ban the forger; no model published with a
  /// forged state is committed.
  @Test(arguments: [21, 22] as [UInt64], ["nesterov", "fedavgm"])
  func aCoordinatorThatForgesTheOuterStateIsDeposedAndBanned(seed: UInt64, security: String)
    throws
  {
    let report = try checkedCouncil(seed: seed) {
      $0.node.security = Self.checkedSecurity(security)
      $0.node.bansMisbehavingAggregators = true
      $0.firstCoordinatorForgesModels = true
      $0.forgeryTarget = .outerState
      $0.node.handsOverToRankedCoordinator = false
    }.run()
    let forger = try #require(report.forger)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.coordinatorRefusals > 0)
    #expect(!report.forgedModels.isEmpty)
    #expect(report.banned == [forger])
    #expect(report.rounds.map(\.round).count == 4)
    #expect(report.rounds.allSatisfy { !report.forgedModels.contains($0.model) })
    #expect(report.rounds.allSatisfy { $0.coordinator != forger })
  }

  /// The first coordinator stalls: its heartbeats hold every follower's election off, but it
  /// withholds every round's start (no round opens) or every round's commit (rounds open and
  /// train, none commits). The other members depose it once the round is overdue and elect
  /// another; every round commits, none under the staller, and nobody bans it (a stall proves
  /// nothing).
  @Test(arguments: [31, 32] as [UInt64], CoordinatorStall.Target.allCases)
  func aStallingCoordinatorIsDeposedAndTheCouncilGoesOn(
    seed: UInt64, target: CoordinatorStall.Target
  ) throws {
    let report = try checkedCouncil(seed: seed) {
      $0.firstCoordinatorStalls = true
      $0.stallTarget = target
      $0.node.handsOverToRankedCoordinator = false
    }.run()
    let staller = try #require(report.staller)
    #expect(report.violations.isEmpty, "\(report.violations)")
    // A round opened and never committed is run again under the next number.
    #expect(report.rounds.map(\.round) == (target == .opening ? [1, 2, 3, 4] : [2, 3, 4, 5]))
    #expect(report.rounds.allSatisfy { $0.coordinator != staller })
    // Every other member of the council of 4 deposed it, once.
    #expect(report.coordinatorStalls == [staller, staller, staller])
    #expect(report.banned.isEmpty && report.coordinatorRefusals == 0)
    // The first round committed after the bound, not before.
    let first = try #require(report.rounds.first)
    let settings = try checkedCouncil(seed: seed).settings.node
    let bound =
      target == .opening
      ? settings.openingTimeoutMilliseconds : settings.commitTimeoutMilliseconds
    #expect(first.virtualMilliseconds > bound)
  }

  /// A project that reached its last round opens no more: nobody takes that for a stall, however
  /// long the council idles after it.
  @Test func aCouncilIdleAfterItsLastRoundDeposesNobody() throws {
    let report = try checkedCouncil(seed: 33) {
      $0.node.roundsMax = 2
      $0.timeLimitMilliseconds = 120_000
    }.run()
    #expect(report.rounds.map(\.round) == [1, 2])
    #expect(report.coordinatorStalls.isEmpty, "\(report.coordinatorStalls)")
  }
}
