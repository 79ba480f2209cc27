import Aggregation
import Coordination
import Node
import Wire

/// One seed of the fault sweep: a small fdfl project with synthetic updates and faults drawn
/// from the seed (council size, loss, duplication, churn, coordinator crashes), then a liveness
/// phase. The same seed always builds and runs the same scenario.
public struct FaultSweepResult: Sendable {
  public var seed: UInt64
  public var violations: [InvariantViolation]
  public var roundsCommitted: Int
  public var roundsWanted: Int
  public var failoverMilliseconds: [UInt64]
  public var electionTimeoutMaximumMilliseconds: UInt64

  /// Times an honest member refused its (honest) coordinator: every one is a false alarm.
  public var refusedCoordinators = 0
  /// Times a member objected to its coordinator for listing it absent while it heard from it
  /// (`SimulationReport.coordinatorObjections`; logged only). Not a failure: a member whose
  /// answers queue behind large messages on its link looks silent to an honest coordinator.
  public var objectedCoordinators = 0
  /// Times a member deposed its coordinator because no round opened or committed in time
  /// (`SimulationReport.coordinatorStalls`). Every coordinator of the sweep is honest, so each
  /// is a false alarm, and fails the seed.
  public var stalledCoordinators = 0

  public var isPassing: Bool {
    violations.isEmpty && roundsCommitted == roundsWanted && refusedCoordinators == 0
      && stalledCoordinators == 0
  }

  /// The command that replays this seed.
  public var replayCommand: String {
    "starling simulate --sweep 1 --seed \(seed)" + (usesMembership ? " --membership" : "")
      + (isFailoverOnly ? " --failover" : "") + (signsContributions ? " --signed" : "")
  }
  public var usesMembership = false
  public var isFailoverOnly = false
  public var signsContributions = false
}

public enum FaultSweep {
  /// Builds and runs the scenario of `seed`. With `isFailoverOnly`, the only crash is one of the
  /// coordinator at a random moment (loss and duplication stay): what failover time measures,
  /// apart from rounds lost because churn left the council without a majority.
  public static func run(
    seed: UInt64, isFailoverOnly: Bool = false, usesMembership: Bool = false,
    signsContributions: Bool = false
  ) -> FaultSweepResult {
    var generator = SplitMixGenerator(seed: seed)
    let councilSize = Bool.random(using: &generator) ? 3 : 5
    let peerCount = councilSize + Int.random(in: 3...8, using: &generator)
    let rounds = 8
    let training = SyntheticTraining(modelLength: 32, samplesPerUpdate: 600, seed: seed)
    let council = (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) }
    let replacesMembers = !isFailoverOnly && Bool.random(using: &generator)
    var node = NodeSettings(
      mode: .fdfl,
      plan: RoundPlan(trainersPerRound: peerCount - councilSize, roundDurationMilliseconds: 1_500),
      modelLength: training.modelLength, council: council)
    if usesMembership { node.membership = MembershipConfiguration() }
    node.replacesCouncilMembers = replacesMembers
    node.rotatesCouncilMembers = replacesMembers
    node.handsOverToRankedCoordinator = Bool.random(using: &generator)
    // Short epochs, so role rotation, leadership handovers and council rotation happen often.
    node.rotateEvery = Int.random(in: 2...4, using: &generator)
    node.aggregatorCount =
      Bool.random(using: &generator) ? nil : Int.random(in: 1..<councilSize, using: &generator)
    var settings = SimulationSettings(
      seed: seed, peerCount: peerCount, node: node, rounds: rounds,
      samplesPerSecond: (0..<peerCount).map { _ in
        Double.random(in: 3_000...30_000, using: &generator)
      })
    settings.network = NetworkModel(
      defaultProfile: LinkProfile(
        latencyMinimumMilliseconds: 1,
        latencyMaximumMilliseconds: .random(in: 5...80, using: &generator),
        lossProbability: .random(in: 0...0.1, using: &generator),
        duplicationProbability: .random(in: 0...0.05, using: &generator)))
    settings.faultPhaseMilliseconds = 20_000
    settings.crashFraction = isFailoverOnly ? 0 : [0, 0.2, 0.4].randomElement(using: &generator)!
    settings.downtimeMilliseconds = 500...8_000
    settings.coordinatorCrashes =
      (0..<(isFailoverOnly ? 1 : Int.random(in: 0...2, using: &generator))).map { _ in
        UInt64.random(in: isFailoverOnly ? 2_000...4_000 : 2_000...18_000, using: &generator)
      }.sorted()
    if !isFailoverOnly {
      // Isolate the coordinator (or, one time in three, another council member) for a while,
      // both ways or only its outgoing messages: the split-brain scenarios.
      settings.partitions = (0..<Int.random(in: 0...2, using: &generator)).map { _ in
        PartitionFault(
          startMilliseconds: .random(in: 1_000...16_000, using: &generator),
          durationMilliseconds: .random(in: 500...6_000, using: &generator),
          isolated: Int.random(in: 0..<3, using: &generator) == 0
            ? [Int.random(in: 0..<councilSize, using: &generator)] : nil,
          isOneWay: Bool.random(using: &generator))
      }
    }
    if replacesMembers {
      // A council member that never comes back: the council must replace it to stay whole.
      settings.permanentCrashes = [
        (
          peer: Int.random(in: 0..<councilSize, using: &generator),
          at: .random(in: 2_000...15_000, using: &generator)
        )
      ]
    }
    // One seed in four has a trainer without data: its weight-0 updates are refused, and its
    // group must not wait for it until the deadline.
    if !isFailoverOnly, Int.random(in: 0..<4, using: &generator) == 0 {
      training.datalessPeers = [Int.random(in: councilSize..<peerCount, using: &generator)]
    }
    settings.livenessBoundMilliseconds = 60_000
    settings.signsContributions = signsContributions
    // A signed sweep runs as real nodes do: the council checks its coordinator too, and, from a
    // generator of its own (the unsigned sweep stays as it was), one seed in three combines
    // with a median over partials and central noise, and one in three with a median over group
    // sums: what the members recompute with the round's committed seed; and one in three steps
    // with Nesterov's outer optimizer.
    settings.node.councilChecksCoordinator = signsContributions
    settings.node.replacesStalledCoordinator = signsContributions
    if signsContributions {
      var securityGenerator = SplitMixGenerator(seed: seed ^ 0x5EC0_417E)
      switch Int.random(in: 0..<3, using: &securityGenerator) {
      case 1:
        var security = NodeSecurity(
          pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
        security.partialRule = .median
        security.centralPrivacy = CentralPrivacy(
          clipNorm: 10, noiseMultiplier: 0.3, delta: 1e-5, epsilonBudget: nil)
        settings.node.security = security
      case 2:
        var security = NodeSecurity(
          pipelines: [AggregationPipeline(rules: [.median])], byzantineFraction: 0.25)
        security.aggregatorsSeeOnlySums = true
        settings.node.security = security
      default:
        break
      }
      // And one seed in three (drawn apart) adds Nesterov's outer step, whose momentum the
      // council replicates with each commit and every new coordinator goes on from.
      if Int.random(in: 0..<3, using: &securityGenerator) == 0 {
        var security =
          settings.node.security
          ?? NodeSecurity(pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
        security.outerOptimizer = .nesterov(learningRate: 0.7, momentum: 0.9)
        settings.node.security = security
      }
    }
    settings.timeLimitMilliseconds = 200_000
    let report = Simulator(
      settings: settings, training: training, initialModel: training.initialModel
    ).run()
    var result = FaultSweepResult(
      seed: seed, violations: report.violations, roundsCommitted: report.rounds.count,
      roundsWanted: rounds,
      failoverMilliseconds: report.failoverMilliseconds,
      electionTimeoutMaximumMilliseconds: node.councilOptions.electionTimeoutMilliseconds
        .upperBound,
      usesMembership: usesMembership, isFailoverOnly: isFailoverOnly,
      signsContributions: signsContributions)
    result.refusedCoordinators = report.coordinatorRefusals
    result.objectedCoordinators = report.coordinatorObjections
    result.stalledCoordinators = report.coordinatorStalls.count
    return result
  }
}
