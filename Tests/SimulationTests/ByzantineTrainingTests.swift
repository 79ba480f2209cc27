import Aggregation
import Coordination
import Datasets
import Learning
import Simulation
import Testing
import Wire

@testable import Node

struct ByzantineTrainingTests {
  @Test func alieZMatchesThePaper() {
    // Baruch et al.: n = 50, f = 12 gives s = 14 and z = Phi^-1(36 / 50) = 0.583.
    #expect(abs(CollusionAttacks.alieZ(updateCount: 50, byzantineCount: 12) - 0.583) < 0.002)
  }

  @Test func ipmIsMinusEpsilonTimesTheMean() {
    let crafted = CollusionAttacks.craft(.ipm, from: [[1, 2], [3, 4]], epsilon: 0.5)
    #expect(crafted == [-1, -1.5])
  }

  @Test func theAdaptiveUpdateStaysWithinTheHonestSpread() {
    let honest: [[Float]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]
    let crafted = CollusionAttacks.craft(.adaptive, from: honest)
    func distance(_ a: [Float], _ b: [Float]) -> Float {
      zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
    }
    let bound = honest.flatMap { a in honest.map { distance(a, $0) } }.max()!
    #expect(honest.allSatisfy { distance(crafted, $0) <= bound + 1e-4 })
    // And it moves away from the mean as far as that allows.
    let mean: [Float] = [0.5, 0.5, 0.25]
    #expect(distance(crafted, mean) > 0.1)
  }

  /// Federated training on bright squares with a fifth of the trainers flipping signs at 10x:
  /// the mean is dragged away, the median is not.
  func run(pipeline: AggregationPipeline?, attack: ByzantineAttack) throws -> Double {
    let peers = 11
    let federation = try BrightSquaresFederation(peers: peers)
    let honest = federation.honest
    let attacked = ByzantineTraining(honest: honest, attackers: [1, 2], attack: attack, seed: 5)
    attacked.gaussianStandardDeviation = 10
    var node = NodeSettings(
      mode: .federated,
      plan: RoundPlan(trainersPerRound: peers - 1, roundDurationMilliseconds: 600_000),
      modelLength: honest.modelLength, council: [PeerID(simulatedIndex: 0)])
    node.security = pipeline.map { NodeSecurity(pipelines: [$0], byzantineFraction: 0.2) }
    let settings = SimulationSettings(
      seed: 6, peerCount: peers, node: node, rounds: 6,
      samplesPerSecond: Array(repeating: 1_000, count: peers))
    let report = Simulator(
      settings: settings, training: attacked, initialModel: federation.initialModel
    ).run()
    #expect(report.violations.isEmpty)
    return report.rounds.last?.accuracy ?? 0
  }

  @Test func theMedianResistsGaussianAttackersThatBreakTheMean() throws {
    let mean = try run(pipeline: nil, attack: .gaussian)
    let median = try run(pipeline: AggregationPipeline(rules: [.median]), attack: .gaussian)
    #expect(median > 0.9, "median under attack: \(median)")
    #expect(mean < median - 0.2, "mean \(mean) vs median \(median)")
  }

  @Test func aRuleThatCannotRunFallsBackToTheNextOne() {
    // Krum needs n >= 2f + 3: with 4 updates and f = 1 it cannot run, the median can.
    let security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.krum]), AggregationPipeline(rules: [.median])],
      byzantineFraction: 0.25)
    let updates = (0..<4).map {
      GroupAggregation.ContributedUpdate(
        trainer: PeerID(simulatedIndex: UInt64($0)), weight: 1, values: [Float($0)])
    }
    let (values, report) = security.combine(updates, previousAggregate: nil, seed: 1)
    #expect(values == [1.5])
    #expect(report.contains("krum needs n >= 2f + 3"), "\(report)")
  }
}
