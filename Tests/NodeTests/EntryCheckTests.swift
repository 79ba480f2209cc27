import Aggregation
import Coordination
import Testing
import Wire

@testable import Node

/// A council member's check of the roles and round starts its coordinator appends
/// (`NodeController.entryViolation`), and what the member does when one is wrong.
@Suite struct EntryCheckTests {
  let founders = (0..<3).map { PeerID(simulatedIndex: $0) }
  let outsider = PeerID(simulatedIndex: 7)
  let late = PeerID(simulatedIndex: 8)

  /// Founder 1 of a 3-member fdfl council that checks its coordinator, founder 0, with two
  /// aggregators at most.
  func member(security: NodeSecurity? = nil) -> NodeController {
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: founders)
    settings.councilChecksCoordinator = true
    settings.security = security
    settings.aggregatorCount = 2
    return NodeController(
      me: founders[1], settings: settings, peers: founders + [outsider, late],
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: [0, 0, 0, 0], lastStartedRound: 0),
      seed: 1)
  }

  func entries(_ commands: [CouncilCommand], from index: UInt64 = 1) -> [LogEntry] {
    commands.enumerated().map {
      LogEntry(term: 1, index: index + UInt64($0.offset), command: $0.element)
    }
  }

  func roles(_ coordinator: PeerID, _ aggregators: [PeerID]) -> CouncilCommand {
    .assignRoles(RoleAssignment(epoch: 0, coordinator: coordinator, aggregators: aggregators))
  }

  func start(aggregators: [PeerID]) -> CouncilCommand {
    .startRound(
      RoundStart(
        round: 1, baseModel: Digest.of(values: [0, 0, 0, 0]), deadlineMilliseconds: 5_000,
        assignments: aggregators.map { TrainerAssignment(trainer: outsider, aggregator: $0) }))
  }

  func violation(_ commands: [CouncilCommand]) -> String? {
    member().entryViolation(
      in: entries(commands), after: 0, previousTerm: 0, from: founders[0])
  }

  @Test func honestRolesAndRoundStartsPass() {
    #expect(violation([roles(founders[0], [founders[1], founders[2]])]) == nil)
    #expect(violation([roles(founders[2], [founders[0]])]) == nil)  // a handover
    #expect(violation([start(aggregators: [founders[1], founders[2]])]) == nil)
    // Alone, the coordinator aggregates itself.
    #expect(violation([start(aggregators: [founders[0]])]) == nil)
    // A member added earlier in the same append may serve at once.
    #expect(violation([.addCouncilMember(late), roles(founders[0], [late])]) == nil)
  }

  @Test func rolesAgainstTheRulesAreNamed() throws {
    let colluder = try #require(violation([roles(founders[0], [founders[1], outsider])]))
    #expect(colluder.contains("names \(outsider), not a council member, aggregator"))
    let coordinator = try #require(violation([roles(outsider, [founders[1]])]))
    #expect(coordinator.contains("not a council member, coordinator"))
    #expect(violation([roles(founders[0], [founders[1], founders[1]])]) != nil)
    #expect(violation([roles(founders[0], [founders[0]])]) != nil)
    let tooMany = try #require(
      violation([.addCouncilMember(late), roles(founders[0], [founders[1], founders[2], late])]))
    #expect(tooMany.contains("3 aggregators, not at most 2"))
    // A member removed earlier in the same append may not.
    #expect(
      violation([.removeCouncilMember(founders[2]), roles(founders[0], [founders[2]])]) != nil)
    let round = try #require(violation([start(aggregators: [founders[1], outsider])]))
    #expect(round.contains("opens round 1 with \(outsider), not a council member, as aggregator"))
  }

  /// An append this member would refuse (its log differs at the previous index) is not judged:
  /// another leader's entries are not this one's.
  @Test func anAppendThatDoesNotMatchTheLogIsNotJudged() {
    let node = member()
    #expect(
      node.entryViolation(
        in: entries([roles(founders[0], [outsider])], from: 5), after: 4, previousTerm: 1,
        from: founders[0]) == nil)
  }

  /// A member that receives a wrong entry logs the evidence, deposes the coordinator (it no
  /// longer takes its appends), and does not append it.
  @Test func aWrongEntryDeposesTheCoordinator() {
    var node = member()
    let append = CouncilMessage.appendEntries(
      term: 1, leader: founders[0], previousLogIndex: 0, previousLogTerm: 0,
      entries: entries([roles(founders[0], [founders[1], outsider])]), leaderCommit: 0)
    let effects = node.handle(.received(from: founders[0], .council(append), now: 1_000))
    let refusals = effects.compactMap {
      if case .coordinatorRefused(let peer, let evidence) = $0 { (peer, evidence) } else { nil }
    }
    #expect(refusals.map(\.0) == [founders[0]])
    #expect(refusals.first?.1.hasPrefix("appended an entry against the rules") == true)
    #expect(node.council?.deposed.contains(founders[0]) == true)
    #expect(node.council?.lastLogIndex == 0)
    #expect(node.suspectedCoordinators[founders[0]] != nil)
  }

  /// With trainer reputation, a commit's judgements must be its aggregators' signed ones, as a
  /// member that stored the round's model holds them.
  @Test func aCommitWithJudgementsOtherThanTheAggregatorsIsRefused() throws {
    var security = NodeSecurity(
      pipelines: [AggregationPipeline(rules: [.mean])], byzantineFraction: 0)
    security.reputationDecay = 0.8
    var node = member(security: security)
    let values: [Float] = [1, 1, 1, 1]
    let judged = [TrainerJudgement(trainer: outsider, score: -0.9)]
    node.combinationCheck.partials[1] = [
      founders[2]: (1, values, Digest.of(values: values), judged)
    ]
    let model = Digest.of(values: [1, 2, 3, 4])
    node.replication.published[model] = [1, 2, 3, 4]
    func commit(_ judgements: [TrainerJudgement]) -> CouncilCommand {
      .commitRound(
        RoundCommit(
          round: 1, model: model, aggregators: [founders[2]], trainers: [outsider],
          judgements: judgements))
    }
    #expect(
      node.entryViolation(
        in: entries([commit(judged)]), after: 0, previousTerm: 0, from: founders[0]) == nil)
    let evidence = try #require(
      node.entryViolation(
        in: entries([commit([TrainerJudgement(trainer: outsider, score: 0.9)])]), after: 0,
        previousTerm: 0, from: founders[0]))
    #expect(evidence.contains("not its aggregators' signed ones"))
    // A member that did not store the model (so may hold other partials) does not judge.
    node.replication.published = [:]
    #expect(
      node.entryViolation(
        in: entries([commit([])]), after: 0, previousTerm: 0, from: founders[0]) == nil)
  }
}
