import Aggregation
import Coordination
import Testing
import Wire

@testable import Node

/// Trainer reputation as replicated state: a member's book moves only with committed judgements,
/// once per round however often the log is applied, and a trainer it distrusts is neither ranked
/// into a role nor eligible for the council.
@Suite struct ReplicatedReputationTests {
  let founders = (0..<3).map { PeerID(simulatedIndex: $0) }
  let liar = PeerID(simulatedIndex: 5)
  let honest = PeerID(simulatedIndex: 6)

  func member() -> NodeController {
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: founders)
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.reputationDecay = 0.8
    settings.security = security
    return NodeController(
      me: founders[1], settings: settings, peers: founders + [liar, honest],
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: [0, 0, 0, 0], lastStartedRound: 0),
      seed: 1)
  }

  func commit(_ round: UInt64) -> CouncilCommand {
    .commitRound(
      RoundCommit(
        round: round, model: Digest.of(values: [Float(round), 0, 0, 0]),
        aggregators: [founders[2]], trainers: [honest, liar],
        judgements: [
          TrainerJudgement(trainer: honest, score: 0.9),
          TrainerJudgement(trainer: liar, score: -0.8),
        ]))
  }

  @Test func committedJudgementsMoveTheBookOnceARoundAndADistrustedTrainerServesNothing() {
    var node = member()
    _ = node.apply(commit(1))
    _ = node.apply(commit(1))  // applied again (a restart re-applies its log): counted once
    #expect(node.reputation?.records[liar]?.rounds == 1)
    #expect(node.reputation?.isDistrusted(liar) == false)  // one round is not enough to judge
    _ = node.apply(commit(2))
    #expect(node.reputation?.records[liar]?.rounds == 2)
    #expect(node.reputation?.isDistrusted(liar) == true)
    #expect(node.reputation?.isDistrusted(honest) == false)
    #expect(node.roleCandidate(liar).reputation == 0)
    #expect(node.roleCandidate(honest).reputation == 1)
    #expect(node.rank([liar, honest]) == [honest, liar])
    #expect(!node.isEligibleForCouncil(liar))
  }
}
