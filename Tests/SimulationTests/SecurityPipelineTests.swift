import Aggregation
import Coordination
import Datasets
import Learning
import Node
import Privacy
import Simulation
import Testing
import Wire

/// The coordinator's side of the pipeline in simulated federated training: robust rule over
/// partials, client-level privacy with its budget, and the outer optimizer.
struct SecurityPipelineTests {
  func run(
    security: NodeSecurity?, mode: TopologyMode = .federated, rounds: Int = 6,
    councilSize fdflCouncil: Int = 3, maliciousAggregators: Set<Int> = []
  ) throws -> SimulationReport {
    let councilSize = mode == .federated ? 1 : fdflCouncil
    let peers = 10 + councilSize
    let train = LabeledDataset.brightSquares(classCount: 4, count: 1_000, seed: 1)
    let test = LabeledDataset.brightSquares(classCount: 4, count: 200, seed: 2)
    let parts = try Partitioning.iid.partition(
      labels: train.labels, classCount: 4, peerCount: peers - councilSize, seed: 3)
    let model = ModelArchitecture.mlp(inputs: 784, classes: 4).makeModel(seed: 3)
    let training = ShardTraining(
      model: model,
      shards: Array(repeating: train.subset([]), count: councilSize)
        + parts.map { train.subset($0) },
      test: test, batchSize: 16, learningRate: 0.05, momentum: 0.9, localSteps: 5, seed: 4)
    var node = NodeSettings(
      mode: mode,
      plan: RoundPlan(trainersPerRound: 5, roundDurationMilliseconds: 600_000),
      modelLength: training.modelLength,
      council: (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) })
    node.security = security
    node.rotateEvery = 1_000
    var settings = SimulationSettings(
      seed: 6, peerCount: peers, node: node, rounds: rounds,
      samplesPerSecond: Array(repeating: 1_000, count: peers))
    settings.maliciousAggregators = maliciousAggregators
    return Simulator(
      settings: settings, training: training, initialModel: model.flattenedParameters()
    ).run()
  }

  @Test func clientLevelPrivacyStopsAtItsBudgetAndReportsIt() throws {
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    let privacy = CentralPrivacy(clipNorm: 1, noiseMultiplier: 1, delta: 1e-5, epsilonBudget: 4)
    security.centralPrivacy = privacy
    let report = try run(security: security, rounds: 50)
    let budgetEpsilon = try #require(report.privacyBudgetEpsilon)
    #expect(report.violations.isEmpty)
    #expect(report.rounds.count < 50)
    // The rounds committed spend at most the budget, one more would not.
    let rate = 5.0 / 10.0
    #expect(privacy.epsilon(afterRounds: report.rounds.count, samplingRate: rate) <= 4)
    #expect(privacy.epsilon(afterRounds: report.rounds.count + 1, samplingRate: rate) > 4)
    #expect(
      abs(budgetEpsilon - privacy.epsilon(afterRounds: report.rounds.count, samplingRate: rate))
        < 1e-9)
  }

  @Test func theOuterOptimizerAndARuleOverPartialsStillLearnInFDFL() throws {
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.median])], byzantineFraction: 0.2)
    security.partialRule = .median
    security.outerOptimizer = .fedAvgM(learningRate: 1, momentum: 0.5)
    let report = try run(security: security, mode: .fdfl)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 6)
    #expect((report.rounds.last?.accuracy ?? 0) > 0.9)
  }

  @Test func aMedianOverPartialsOutvotesAMaliciousAggregator() throws {
    var robust = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    robust.partialRule = .median
    let attacked = try run(
      security: nil, mode: .fdfl, councilSize: 5, maliciousAggregators: [2])
    let defended = try run(
      security: robust, mode: .fdfl, councilSize: 5, maliciousAggregators: [2])
    #expect(defended.violations.isEmpty && attacked.violations.isEmpty)
    let attackedAccuracy = attacked.rounds.last?.accuracy ?? 0
    let defendedAccuracy = defended.rounds.last?.accuracy ?? 0
    #expect(defendedAccuracy > 0.9, "median over partials: \(defendedAccuracy)")
    #expect(attackedAccuracy < defendedAccuracy - 0.2, "mean of partials: \(attackedAccuracy)")
  }

  @Test func whenAggregatorsSeeOnlySumsTheRobustRuleMovesToTheCoordinator() throws {
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.bulyan]), AggregationPipeline(rules: [.median])],
      byzantineFraction: 0.25)
    security.aggregatorsSeeOnlySums = true
    let report = try run(
      security: security, mode: .fdfl, councilSize: 5, maliciousAggregators: [2])
    #expect(report.violations.isEmpty, "\(report.violations)")
    // Aggregators kept running sums (they log nothing); the coordinator ran the first pipeline
    // that can run over the 4 or 5 group sums, said why it moved, and why Bulyan could not.
    #expect(!report.aggregationLog.isEmpty)
    for line in report.aggregationLog {
      #expect(line.contains("coordinator: the aggregators see only their group sums"), "\(line)")
      #expect(line.contains("rule median"), "\(line)")
      #expect(line.contains("skipped: bulyan needs n >= 4f + 3"), "\(line)")
    }
    // The median over the group sums outvotes the aggregator that corrupts its partial.
    let accuracy = report.rounds.last?.accuracy ?? 0
    #expect(accuracy > 0.9, "median over group sums: \(accuracy)")
  }

  @Test func localPrivacyPrivatizesEveryUpdateAndTrainingStillLearnsWithLittleNoise() throws {
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.localPrivacy = GaussianMechanism(clipNorm: 5, noiseMultiplier: 0.001)
    let report = try run(security: security)
    #expect(report.violations.isEmpty)
    #expect(report.localPrivacyRoundsMax >= 1)
    #expect((report.rounds.last?.accuracy ?? 0) > 0.9)
    // With heavy noise the same run learns nothing useful.
    security.localPrivacy = GaussianMechanism(clipNorm: 5, noiseMultiplier: 50)
    let noisy = try run(security: security)
    #expect((noisy.rounds.last?.accuracy ?? 1) < 0.6)
  }
}
