import Aggregation
import Coordination
import Testing
import Wire

@testable import Node

/// A council member's check of the roles and round starts its coordinator appends
/// (`NodeController.entryRefusal`), and what the member does when one is wrong.
@Suite struct EntryCheckTests {
  let founders = (0..<3).map { PeerID(simulatedIndex: $0) }
  let outsider = PeerID(simulatedIndex: 7)
  let late = PeerID(simulatedIndex: 8)

  /// Founder 1 of a 3-member fdfl council that checks its coordinator, founder 0, with two
  /// aggregators at most.
  /// With `ranked`, the member also checks the roles against the committed ranking.
  func member(security: NodeSecurity? = nil, ranked: Bool = false, me: PeerID? = nil)
    -> NodeController
  {
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: founders)
    settings.councilChecksCoordinator = true
    settings.handsOverToRankedCoordinator = ranked
    settings.security = security
    settings.aggregatorCount = 2
    return NodeController(
      me: me ?? founders[1], settings: settings,
      peers: (founders + [outsider, late]).filter { $0 != (me ?? founders[1]) },
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
    var node = member()
    return node.entryRefusal(
      in: entries(commands), after: 0, previousTerm: 0, from: founders[0])?.evidence
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
    var node = member()
    #expect(
      node.entryRefusal(
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
      node.entryRefusal(
        in: entries([commit(judged)]), after: 0, previousTerm: 0, from: founders[0]) == nil)
    let evidence = try #require(
      node.entryRefusal(
        in: entries([commit([TrainerJudgement(trainer: outsider, score: 0.9)])]), after: 0,
        previousTerm: 0, from: founders[0])?.evidence)
    #expect(evidence.contains("not its aggregators' signed ones"))
    // A member that did not store the model (so may hold other partials) does not judge.
    node.replication.published = [:]
    #expect(
      node.entryRefusal(
        in: entries([commit([])]), after: 0, previousTerm: 0, from: founders[0]) == nil)
  }

  // MARK: The committed ranking

  /// The founders as the committed ranking orders them before any commit (seeded by the
  /// initial model's digest), less `absent`.
  func ranking(excluding absent: Set<PeerID> = []) -> [PeerID] {
    var node = member(ranked: true)
    return node.committedRoles(through: 0)!.ranking(excluding: absent)!
  }

  func refusal(
    _ commands: [CouncilCommand], from leader: PeerID, node: inout NodeController
  ) -> EntryRefusal? {
    node.entryRefusal(in: entries(commands), after: 0, previousTerm: 0, from: leader)
  }

  /// `node` receives `leader`'s append of `entries` (a heartbeat when empty) at `time`, in
  /// term 1 after index 0.
  func append(
    _ entries: [LogEntry], from leader: PeerID, at time: UInt64, to node: inout NodeController
  ) -> [NodeEffect] {
    node.handle(
      .received(
        from: leader,
        .council(
          .appendEntries(
            term: 1, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: entries,
            leaderCommit: 0)), now: time))
  }

  func refusal(_ commands: [CouncilCommand], from leader: PeerID) -> EntryRefusal? {
    var node = member(ranked: true)
    return refusal(commands, from: leader, node: &node)
  }

  func roles(_ coordinator: PeerID, _ aggregators: [PeerID], absent: [PeerID]) -> CouncilCommand {
    .assignRoles(
      RoleAssignment(epoch: 0, coordinator: coordinator, aggregators: aggregators, absent: absent))
  }

  /// The ranked coordinator and aggregators pass, appended by any leader (a handover); so do
  /// a leader's own roles when it lists a member absent, with the others in ranked order.
  @Test func theCommittedRankingsRolesPass() {
    let ranked = ranking()
    #expect(refusal([roles(ranked[0], [ranked[1], ranked[2]])], from: ranked[2]) == nil)
    #expect(refusal([roles(ranked[0], [ranked[1], ranked[2]])], from: ranked[0]) == nil)
    // The leader ranked last keeps the role while the first-ranked is absent.
    #expect(refusal([roles(ranked[2], [ranked[1]], absent: [ranked[0]])], from: ranked[2]) == nil)
    // ... and it stays through the epoch once it holds it.
    #expect(
      refusal(
        [
          roles(ranked[2], [ranked[1]], absent: [ranked[0]]),
          roles(ranked[2], [ranked[0], ranked[1]]),
        ],
        from: ranked[2]) == nil)
  }

  /// A leader that assigns itself (or reorders the ranking in favour of a colluder) without a
  /// member absent is refused with the ranking it broke; so is one that leaves out the member
  /// it names absent in other than ranked order, or names another epoch.
  @Test func rolesTheRankingDoesNotGiveAreRefused() throws {
    let ranked = ranking()
    guard
      case .rule(let itself) = refusal([roles(ranked[2], [ranked[0], ranked[1]])], from: ranked[2])
    else {
      Issue.record("a leader that assigns itself is not refused")
      return
    }
    #expect(itself.contains("where the committed ranking gives coordinator \(ranked[0])"))
    guard case .rule = refusal([roles(ranked[0], [ranked[2], ranked[1]])], from: ranked[0]) else {
      Issue.record("aggregators out of ranked order are not refused")
      return
    }
    // Keeping the role with an absent member, aggregators must still follow the ranking.
    let absentOthers = ranking(excluding: [ranked[1]]).filter { $0 != ranked[2] }
    #expect(refusal([roles(ranked[2], absentOthers, absent: [ranked[1]])], from: ranked[2]) == nil)
    #expect(refusal([roles(ranked[2], [ranked[1]], absent: [ranked[1]])], from: ranked[2]) != nil)
    // The leader cannot list itself absent, nor a peer outside the council.
    #expect(refusal([roles(ranked[0], [ranked[1]], absent: [ranked[2]])], from: ranked[2]) != nil)
    #expect(refusal([roles(ranked[2], [ranked[0]], absent: [outsider])], from: ranked[2]) != nil)
    let epoch = try #require(
      refusal(
        [
          .assignRoles(
            RoleAssignment(epoch: 1, coordinator: ranked[0], aggregators: [ranked[1], ranked[2]]))
        ],
        from: ranked[0])?.evidence)
    #expect(epoch.contains("epoch 1 after round 0 committed"))
  }

  /// A commit earlier in the append reseeds the ranking with its model's digest: the roles of
  /// the entry after it must follow the new ranking.
  @Test func aCommitReseedsTheRanking() throws {
    let model = Digest.of(values: [9, 9, 9, 9])
    var node = member(ranked: true)
    let initial = node.committedRoles(through: 0)
    var state = try #require(initial)
    state.apply(
      .commitRound(
        RoundCommit(round: 1, model: model, aggregators: [], trainers: [], judgements: [])))
    let reseeded = try #require(state.ranking(excluding: []))
    let commit = CouncilCommand.commitRound(
      RoundCommit(round: 1, model: model, aggregators: [], trainers: [], judgements: []))
    #expect(
      refusal(
        [commit, roles(reseeded[0], [reseeded[1], reseeded[2]])], from: reseeded[0], node: &node)
        == nil)
    // The initial ranking differs, so it is refused after the commit.
    let before = ranking()
    try #require(before != reseeded)
    var other = member(ranked: true)
    #expect(
      refusal([commit, roles(before[0], [before[1], before[2]])], from: before[0], node: &other)
        != nil)
  }

  /// A member listed absent objects (logs it; no deposition, no ban) only after two
  /// aggregator silence periods of steady contact with that leader in one term.
  @Test func aMemberListedAbsentObjectsOnlyAfterSteadyContact() throws {
    let ranked = ranking()
    let me = founders[1]
    let leader = ranked.first { $0 != me }!
    let others = ranking(excluding: [me]).filter { $0 != leader }
    let claim = roles(leader, others, absent: [me])
    var node = member(ranked: true)
    func heartbeat(at time: UInt64) { _ = append([], from: leader, at: time, to: &node) }
    for time in stride(from: UInt64(1_000), through: 2_000, by: 100) { heartbeat(at: time) }
    #expect(refusal([claim], from: leader, node: &node) == nil, "1 s of contact")
    for time in stride(from: UInt64(2_100), through: 3_100, by: 100) { heartbeat(at: time) }
    guard case .absentClaim(let evidence, _) = refusal([claim], from: leader, node: &node) else {
      Issue.record("no objection after 2.1 s of contact")
      return
    }
    #expect(evidence.contains("lists this member absent after 2100 ms of steady contact"))
    // A gap longer than half a silence period starts the contact again.
    heartbeat(at: 4_000)
    #expect(refusal([claim], from: leader, node: &node) == nil)
    // Through the message path: the objection is logged once, and the entry appended; the
    // leader is neither deposed nor suspected.
    for time in stride(from: UInt64(4_100), through: 6_200, by: 100) { heartbeat(at: time) }
    let effects = append(entries([claim]), from: leader, at: 6_300, to: &node)
    #expect(
      effects.contains {
        if case .coordinatorObjected(leader, _) = $0 { true } else { false }
      })
    #expect(node.council?.deposed.contains(leader) == false)
    #expect(node.suspectedCoordinators[leader] == nil)
    #expect(node.council?.lastLogIndex == 1)
  }

  /// The epoch's ranked coordinator, handed the role by the epoch's first assignment, objects
  /// when the leader keeps the role after all while it heard that leader without a gap (a
  /// handover would have made it campaign in a new term); the entry is still appended.
  @Test func aPassedOverCoordinatorObjectsAfterSteadyContact() {
    let ranked = ranking()
    let leader = ranked[1]
    var node = member(ranked: true, me: ranked[0])
    for time in stride(from: UInt64(1_000), through: 3_200, by: 100) {
      _ = append([], from: leader, at: time, to: &node)
    }
    let handover = roles(ranked[0], [ranked[1], ranked[2]])
    let kept = roles(ranked[1], [ranked[0], ranked[2]])
    #expect(refusal([handover], from: leader, node: &node) == nil)
    guard case .absentClaim(let evidence, _) = refusal([handover, kept], from: leader, node: &node)
    else {
      Issue.record("a passed-over coordinator does not object")
      return
    }
    #expect(evidence.contains("passes over this member as the epoch's coordinator"))
    // Any other member sees a legitimate keep.
    #expect(refusal([handover, kept], from: leader) == nil)
  }
}

extension EntryRefusal {
  var evidence: String {
    switch self {
    case .rule(let text), .absentClaim(let text, _): text
    }
  }
}
