import Aggregation
import Coordination
import Node
import Privacy
import Testing
import Wire

/// Client-level privacy is composed per committed round, at the sampling rate each commit
/// records, and survives a restart through the log.
@Suite struct PrivacyLedgerTests {
  static let privacy = CentralPrivacy(
    clipNorm: 1, noiseMultiplier: 1.1, delta: 1e-5, epsilonBudget: nil)

  static func settings(mode: TopologyMode, council: [PeerID]) -> NodeSettings {
    var settings = NodeSettings(
      mode: mode, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: NodeScript.modelLength, council: council)
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.centralPrivacy = privacy
    settings.security = security
    return settings
  }

  static func epsilon(rates: [Double]) -> Double {
    var accountant = RDPAccountant()
    for rate in rates {
      accountant.compose(steps: 1, samplingRate: rate, noiseMultiplier: privacy.noiseMultiplier)
    }
    return accountant.epsilon(delta: privacy.delta)
  }

  static func commit(_ round: UInt64, sampled: UInt32, population: UInt32) -> CouncilCommand {
    .commitRound(
      RoundCommit(
        round: round, model: Digest.of(values: [Float(round), 0, 0, 0]), aggregators: [],
        trainers: [], sampledTrainers: sampled, population: population))
  }

  @Test func aRestartedMemberComposesEachCommitOfItsLogAtItsOwnRate() {
    let peers = (0..<3).map(NodeScript.peer)
    // Three rounds as the population grew from 4 to 10 candidates; the fourth entry is past the
    // applied index, so the log's `.commit` delivers it again after the restart.
    let entries = [
      LogEntry(term: 1, index: 1, command: Self.commit(1, sampled: 2, population: 4)),
      LogEntry(term: 1, index: 2, command: Self.commit(2, sampled: 2, population: 8)),
      LogEntry(term: 1, index: 3, command: Self.commit(3, sampled: 2, population: 10)),
      LogEntry(term: 1, index: 4, command: Self.commit(4, sampled: 2, population: 10)),
    ]
    let durable = NodeDurableState(
      council: CouncilDurableState(currentTerm: 1, entries: entries, appliedIndex: 3),
      committedRound: 3, model: NodeScript.initialModel, lastStartedRound: 3)
    let member = NodeController(
      me: peers[1], settings: Self.settings(mode: .fdfl, council: peers), peers: peers,
      durable: durable, seed: 1)
    let expected = Self.epsilon(rates: [0.5, 0.25, 0.2])
    #expect(abs((member.spentEpsilon ?? -1) - expected) < 1e-12)
    // Not the old estimate, every round at today's rate.
    #expect(abs(expected - Self.epsilon(rates: [0.2, 0.2, 0.2])) > 1e-3)
  }

  @Test func aPeerOutsideTheCouncilReportsNoEpsilon() {
    let peers = (0..<4).map(NodeScript.peer)
    let trainer = NodeController(
      me: peers[3], settings: Self.settings(mode: .fdfl, council: Array(peers.prefix(3))),
      peers: peers,
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: NodeScript.initialModel, lastStartedRound: 0),
      seed: 1)
    #expect(trainer.spentEpsilon == nil)
  }

  @Test func aFederatedCommitWritesTheEpsilonItBringsAtTheRoundsSamplingRate() throws {
    let peers = (0..<5).map(NodeScript.peer)
    var coordinator = NodeController(
      me: peers[0], settings: Self.settings(mode: .federated, council: [peers[0]]), peers: peers,
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: NodeScript.initialModel, lastStartedRound: 0),
      seed: 3)
    #expect(coordinator.spentEpsilon == 0)
    let opened = coordinator.handle(.tick(now: 300))
    let trainers = NodeScript.roundMessages(opened).compactMap {
      if case .train(round: 1, _, _) = $0.message { $0.to } else { nil }
    }
    #expect(trainers.count == 2)
    var committed: [NodeEffect] = []
    for (offset, trainer) in trainers.enumerated() {
      committed = coordinator.handle(
        .received(
          from: trainer, .round(.update(round: 1, weight: 1, values: [1, 0, 0, 0])),
          now: 400 + UInt64(offset)))
    }
    let commit = try #require(
      committed.lazy.compactMap { if case .committed(let commit) = $0 { commit } else { nil } }
        .first)
    // Two of the four candidates (every peer but the coordinator).
    #expect(commit.sampledTrainers == 2 && commit.population == 4)
    let expected = Self.epsilon(rates: [0.5])
    #expect(abs((coordinator.spentEpsilon ?? -1) - expected) < 1e-12)
    let written = NodeScript.writes(committed).compactMap {
      if case .privacySpent(let epsilon) = $0 { epsilon } else { nil }
    }
    #expect(written.count == 1 && abs(written[0] - expected) < 1e-12)
  }
}
