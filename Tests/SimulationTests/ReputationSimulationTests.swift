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
  func run(
    reputationDecay: Double?, attackers: [Int], mode: TopologyMode = .federated,
    councilSize: Int = 1, configure: (inout SimulationSettings) -> Void = { _ in }
  ) throws -> SimulationReport {
    let peers = 11
    let federation = try BrightSquaresFederation(peers: peers)
    let honest = federation.honest
    let attacked = ByzantineTraining(
      honest: honest, attackers: attackers, attack: .signFlip, seed: 5)
    var node = NodeSettings(
      mode: mode,
      plan: RoundPlan(trainersPerRound: peers - councilSize, roundDurationMilliseconds: 600_000),
      modelLength: honest.modelLength,
      council: (0..<councilSize).map { PeerID(simulatedIndex: UInt64($0)) })
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.reputationDecay = reputationDecay
    node.security = security
    var settings = SimulationSettings(
      seed: 6, peerCount: peers, node: node, rounds: 6,
      samplesPerSecond: Array(repeating: 1_000, count: peers))
    configure(&settings)
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

  /// fdfl with two aggregators, signed and checked by the council: each aggregator's
  /// judgements travel in its signed partial and the commit, and every council member applies
  /// them. At the end every member's replicated book is the same record for record and leaves
  /// out exactly the attacker. The members checked every commit's judgements against the
  /// signed partials they held, and refused nothing.
  @Test func theReplicatedBookIsTheSameOnEveryMemberAndLeavesOutTheAttacker() throws {
    let attacker = PeerID(simulatedIndex: 7)
    let report = try run(reputationDecay: 0.8, attackers: [7], mode: .fdfl, councilSize: 3) {
      $0.node.replacesCouncilMembers = false
      $0.node.councilChecksCoordinator = true
      $0.signsContributions = true
      $0.rounds = 8
      $0.timeLimitMilliseconds = 3_600_000
    }
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 8)
    #expect(report.coordinatorRefusals == 0 && report.rejected == 0)
    #expect(report.distrusted.count == 3, "\(report.distrusted)")
    for (member, distrusted) in report.distrusted {
      #expect(distrusted == [attacker], "\(member): \(distrusted)")
    }
    // Record for record, the same book on every member that applied the same commits (the
    // run stops when the coordinator commits the last round, before the others apply it).
    let byRound = Dictionary(grouping: report.reputationScores.values, by: \.round)
    #expect(byRound.values.contains { $0.count >= 2 }, "\(report.reputationScores)")
    for books in byRound.values {
      #expect(books.allSatisfy { $0.scores == books[0].scores }, "\(report.reputationScores)")
    }
    #expect(report.reputationScores.values.allSatisfy { $0.scores.count == 8 })
  }
}
