import Aggregation
import Coordination
import Datasets
import Learning
import Node
import Simulation
import Testing
import Wire

/// Reputation at the aggregator in simulated federated training: trainers that sign-flip every
/// round are left out after their first rounds, and honest trainers are not.
struct ReputationSimulationTests {
  func run(reputationDecay: Double?, attackers: [Int]) throws -> SimulationReport {
    let peers = 11
    let federation = try BrightSquaresFederation(peers: peers)
    let honest = federation.honest
    let attacked = ByzantineTraining(
      honest: honest, attackers: attackers, attack: .signFlip, seed: 5)
    var node = NodeSettings(
      mode: .federated,
      plan: RoundPlan(trainersPerRound: peers - 1, roundDurationMilliseconds: 600_000),
      modelLength: honest.modelLength, council: [PeerID(simulatedIndex: 0)])
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.reputationDecay = reputationDecay
    node.security = security
    let settings = SimulationSettings(
      seed: 6, peerCount: peers, node: node, rounds: 6,
      samplesPerSecond: Array(repeating: 1_000, count: peers))
    return Simulator(
      settings: settings, training: attacked, initialModel: federation.initialModel
    ).run()
  }

  @Test func signFlippersAreLeftOutAfterTheirFirstRoundsAndHonestTrainersAreNot() throws {
    let attackers = [2, 5, 7, 9]
    let report = try run(reputationDecay: 0.8, attackers: attackers)
    #expect(report.violations.isEmpty)
    #expect(report.rounds.count == 6)
    let names = attackers.map { PeerID(simulatedIndex: UInt64($0)).description }.sorted()
    let leftOut = "reputation left out \(names)"
    // Rounds 1 and 2 score everyone; from round 3 on, exactly the attackers are left out.
    #expect(report.aggregationLog.count == 6)
    for line in report.aggregationLog {
      if line.hasPrefix("round 1,") || line.hasPrefix("round 2,") {
        #expect(!line.contains("reputation left out"), "\(line)")
      } else {
        #expect(line.contains(leftOut), "\(line)")
      }
    }
    let plain = try run(reputationDecay: nil, attackers: attackers)
    let defended = report.rounds.last?.accuracy ?? 0
    let attacked = plain.rounds.last?.accuracy ?? 0
    #expect(defended >= attacked, "with reputation \(defended), without \(attacked)")
  }
}
