import Coordination
import Node
import Testing
import Wire

@Suite struct NodeControllerTests {
  let base = Digest.of(values: NodeScript.initialModel)

  @Test func trainerTrainsOnTheRoundsBaseAndSendsItsUpdateToItsAggregator() {
    var trainer = NodeScript.node(3)
    let aggregator = NodeScript.peer(1)
    let started = trainer.handle(
      .received(
        from: aggregator, .round(.train(round: 1, baseModel: base, deadlineMilliseconds: 5_000)),
        now: 100))
    #expect(started.count == 1)
    guard case .train(let round, let model, let deadline) = started.first else {
      Issue.record("expected a training request, got \(started)")
      return
    }
    #expect(round == 1 && model == NodeScript.initialModel && deadline == 5_000)

    let delta: [Float] = [0.5, -0.5, 1, 0]
    let finished = trainer.handle(.trainingFinished(round: 1, weight: 32, delta: delta, now: 900))
    let messages = NodeScript.roundMessages(finished)
    #expect(messages.count == 1)
    #expect(messages.first?.to == aggregator)
    #expect(messages.first?.message == .update(round: 1, weight: 32, values: delta))
  }

  @Test func trainerMissingTheBaseAsksItsAggregatorForIt() {
    var trainer = NodeScript.node(3)
    let unknown = Digest.of(values: [1, 2, 3, 4])
    let effects = trainer.handle(
      .received(
        from: NodeScript.peer(1),
        .round(.train(round: 2, baseModel: unknown, deadlineMilliseconds: 5_000)), now: 100))
    #expect(NodeScript.roundMessages(effects).map(\.message) == [.requestModel(digest: unknown)])
  }

  /// A peer outside the council holds no log: it takes a model as committed only as the base
  /// it asked its aggregator for, labelled below the round it trains. A model pushed unasked
  /// (here with a far-off round, which would otherwise make every real commit look old), the
  /// same base from another peer, or a base labelled with the round it trains, leaves its
  /// committed round and stored model alone; the training itself starts on any copy whose
  /// digest is the one asked for.
  @Test func aTrainerTakesAModelAsCommittedOnlyAsTheBaseItAskedItsAggregatorFor() {
    var trainer = NodeScript.node(3)
    let (aggregator, stranger) = (NodeScript.peer(1), NodeScript.peer(4))
    func persisted(_ effects: [NodeEffect]) -> Bool {
      effects.contains { if case .persist = $0 { true } else { false } }
    }
    let forged: [Float] = [9, 9, 9, 9]
    let pushed = trainer.handle(.received(from: stranger, modelMessage(1_000_000, forged), now: 10))
    #expect(!persisted(pushed))
    #expect(trainer.committedRound == 0 && trainer.model == NodeScript.initialModel)

    let next: [Float] = [1, 2, 3, 4]
    _ = trainer.handle(.received(from: aggregator, trainRequest(2, on: next), now: 20))
    let fromStranger = trainer.handle(.received(from: stranger, modelMessage(1, next), now: 30))
    #expect(!persisted(fromStranger))
    #expect(fromStranger.contains { if case .train(2, next, _) = $0 { true } else { false } })
    #expect(trainer.committedRound == 0)

    let later: [Float] = [2, 2, 2, 2]
    _ = trainer.handle(.received(from: aggregator, trainRequest(3, on: later), now: 40))
    let labelledAhead = trainer.handle(
      .received(from: aggregator, modelMessage(3, later), now: 50))
    #expect(!persisted(labelledAhead))
    #expect(labelledAhead.contains { if case .train(3, later, _) = $0 { true } else { false } })
    #expect(trainer.committedRound == 0)

    _ = trainer.handle(.received(from: aggregator, trainRequest(4, on: later), now: 60))
    // The base is the model it holds already only if it took it; it did not, so it asks.
    let answered = trainer.handle(.received(from: aggregator, modelMessage(3, later), now: 70))
    #expect(persisted(answered))
    #expect(trainer.committedRound == 3 && trainer.model == later)
  }

  /// A model whose bytes do not hash to the digest it names is dropped whoever sends it (every
  /// fetch goes through the same check): the trainer that asked for a base neither trains on
  /// other bytes nor stores them, and trains once the right bytes come.
  @Test func aModelWhoseBytesAreNotItsDigestIsDropped() {
    var trainer = NodeScript.node(3)
    let aggregator = NodeScript.peer(1)
    let next: [Float] = [1, 2, 3, 4]
    let nextDigest = Digest.of(values: next)
    _ = trainer.handle(.received(from: aggregator, trainRequest(2, on: next), now: 10))
    let other: [Float] = [1, 2, 3, 5]
    let wrong = trainer.handle(
      .received(
        from: aggregator, .round(.model(round: 1, digest: nextDigest, values: other)), now: 20))
    #expect(wrong.isEmpty)
    #expect(trainer.committedRound == 0 && trainer.model == NodeScript.initialModel)
    let right = trainer.handle(.received(from: aggregator, modelMessage(1, next), now: 30))
    #expect(right.contains { if case .train(2, next, _) = $0 { true } else { false } })
    #expect(trainer.committedRound == 1 && trainer.model == next)
  }

  /// Only the leader publishes a model to the council: a council member that a stranger pushes
  /// a model to (here a far-off round) neither stores it nor holds it against its leader.
  @Test func aCouncilMemberTakesAPublishedModelOnlyFromItsLeader() {
    var member = NodeScript.node(1)
    let forged: [Float] = [9, 9, 9, 9]
    let pushed = member.handle(
      .received(from: NodeScript.peer(4), modelMessage(1_000_000, forged), now: 10))
    #expect(pushed.isEmpty)
    #expect(member.committedRound == 0 && member.model == NodeScript.initialModel)
  }

  @Test func aggregatorSendsItsTrainersTheRoundAndCombinesTheirUpdatesIntoOnePartial() {
    var aggregator = NodeScript.node(1)
    let coordinator = NodeScript.peer(0)
    let (first, second) = (NodeScript.peer(3), NodeScript.peer(4))
    let start = RoundStart(
      round: 1, baseModel: base, deadlineMilliseconds: 5_000,
      assignments: [
        TrainerAssignment(trainer: first, aggregator: NodeScript.peer(1)),
        TrainerAssignment(trainer: second, aggregator: NodeScript.peer(1)),
      ])
    let opened = aggregator.handle(.received(from: coordinator, .round(.aggregate(start)), now: 10))
    #expect(NodeScript.roundMessages(opened).map(\.to) == [first, second])

    let afterFirst = aggregator.handle(
      .received(from: first, .round(.update(round: 1, weight: 1, values: [1, 1, 1, 1])), now: 20))
    #expect(NodeScript.sends(afterFirst).isEmpty)
    let afterSecond = aggregator.handle(
      .received(from: second, .round(.update(round: 1, weight: 3, values: [2, 0, 2, 0])), now: 30))
    let partials = NodeScript.roundMessages(afterSecond)
    #expect(partials.count == 1)
    #expect(partials.first?.to == coordinator)
    // The weighted sum: 1 * first + 3 * second.
    #expect(
      partials.first?.message
        == .partial(round: 1, weight: 4, trainers: [first, second], values: [7, 1, 7, 1]))
  }

  @Test func aTrainerThatConnectsDuringTheRoundGetsItsRequestAgainUntilItsUpdateIsIn() {
    var aggregator = NodeScript.node(1)
    let (first, second) = (NodeScript.peer(3), NodeScript.peer(4))
    let start = RoundStart(
      round: 1, baseModel: base, deadlineMilliseconds: 60_000,
      assignments: [
        TrainerAssignment(trainer: first, aggregator: NodeScript.peer(1)),
        TrainerAssignment(trainer: second, aggregator: NodeScript.peer(1)),
      ])
    _ = aggregator.handle(.received(from: NodeScript.peer(0), .round(.aggregate(start)), now: 10))
    _ = aggregator.handle(
      .received(from: first, .round(.update(round: 1, weight: 1, values: [1, 1, 1, 1])), now: 20))
    // The second trainer (re)connects and announces itself: the first request may have found
    // no connection, or died with a process that restarted.
    let profile = PeerProfile(
      capacity: PeerProfile.assumedCapacity, uptimeMilliseconds: 5, isReachable: false)
    let again = NodeScript.roundMessages(aggregator.handle(.peerJoined(second, profile, now: 50)))
    #expect(again.map(\.to) == [second])
    #expect(
      again.map(\.message) == [.train(round: 1, baseModel: base, deadlineMilliseconds: 60_000)])
    // A trainer whose update is in is not asked again.
    #expect(NodeScript.sends(aggregator.handle(.peerJoined(first, profile, now: 60))).isEmpty)
  }

  @Test func aRepeatedTrainingRequestDoesNotStartASecondTraining() {
    var trainer = NodeScript.node(3)
    let request = Message.round(.train(round: 1, baseModel: base, deadlineMilliseconds: 5_000))
    let first = trainer.handle(.received(from: NodeScript.peer(1), request, now: 100))
    let repeated = trainer.handle(.received(from: NodeScript.peer(1), request, now: 200))
    #expect(first.count == 1 && repeated.isEmpty)
  }

  @Test func federatedCoordinatorOpensARoundAndCommitsTheCombinedModel() {
    var coordinator = NodeScript.node(0, mode: .federated, peerCount: 3, councilSize: 1)
    #expect(coordinator.isCoordinator)
    // The first round opens two heartbeats after the coordinator starts.
    let opened = coordinator.handle(.tick(now: 300))
    #expect(
      NodeScript.writes(opened).contains { if case .startedRound(1) = $0 { true } else { false } })
    let trainRequests = NodeScript.roundMessages(opened).filter {
      if case .train(round: 1, baseModel: base, _) = $0.message { true } else { false }
    }
    #expect(Set(trainRequests.map(\.to)) == [NodeScript.peer(1), NodeScript.peer(2)])

    let delta: [Float] = [1, 2, 3, 4]
    _ = coordinator.handle(
      .received(
        from: NodeScript.peer(1), .round(.update(round: 1, weight: 2, values: delta)), now: 400))
    let committed = coordinator.handle(
      .received(
        from: NodeScript.peer(2), .round(.update(round: 1, weight: 2, values: delta)), now: 410))
    let commits = committed.compactMap {
      if case .committed(let commit) = $0 { commit } else { nil }
    }
    #expect(commits.map(\.round) == [1])
    #expect(coordinator.committedRound == 1)
    #expect(coordinator.model == delta)
    #expect(
      NodeScript.writes(committed).contains {
        if case .committedModel(1, _, delta, _) = $0 { true } else { false }
      })
    // Every trainer gets the committed model.
    let broadcast = NodeScript.roundMessages(committed).filter {
      if case .model(round: 1, _, delta) = $0.message { true } else { false }
    }
    #expect(Set(broadcast.map(\.to)) == [NodeScript.peer(1), NodeScript.peer(2)])
  }

  @Test func followerGrantsItsVoteOnlyOnceTheVoteIsWritten() {
    var follower = NodeScript.node(1)
    let candidate = NodeScript.peer(0)
    let effects = follower.handle(
      .received(
        from: candidate,
        .council(
          .requestVote(
            term: 1, candidate: candidate, lastLogIndex: 0, lastLogTerm: 0,
            isLeadershipTransfer: false)), now: 50))
    // The term, then the vote, are written before anything is sent.
    let votes = NodeScript.writes(effects).compactMap {
      if case .council(let write) = $0 { write.votedFor } else { nil }
    }
    #expect(votes == [candidate])
    let firstSend = effects.firstIndex { if case .send = $0 { true } else { false } } ?? 0
    #expect(effects[..<firstSend].allSatisfy(\.isDurable) && firstSend > 0)
    #expect(
      NodeScript.sends(effects).map(\.message) == [.council(.vote(term: 1, granted: true))])
    #expect(NodeScript.sends(effects).map(\.to) == [candidate])
  }

  @Test func writesPrecedeSendsInAStepThatAppendsAndAcknowledges() throws {
    var follower = NodeScript.node(2)
    let leader = NodeScript.peer(0)
    let entry = LogEntry(term: 1, index: 1, command: .noOperation)
    let effects = follower.handle(
      .received(
        from: leader,
        .council(
          .appendEntries(
            term: 1, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: [entry],
            leaderCommit: 0)), now: 50))
    let writeIndex = try #require(
      effects.firstIndex {
        if case .persist(.council(let write)) = $0 { write.entries == [entry] } else { false }
      })
    let acknowledgementIndex = try #require(
      effects.firstIndex {
        if case .send(leader, .council(.appendResult(1, true, 1))) = $0 { true } else { false }
      })
    #expect(writeIndex < acknowledgementIndex)
    // The contract in full: every write of the step comes before every other effect.
    let firstOther = effects.firstIndex { !$0.isDurable } ?? effects.count
    #expect(effects[firstOther...].allSatisfy { !$0.isDurable })
  }

  @Test func heldModelIsWrittenBeforeTheCouncilMemberSaysItHoldsIt() throws {
    var member = NodeScript.node(2)
    let leader = NodeScript.peer(0)
    // Follow a leader first, so the member knows whom to tell.
    _ = member.handle(
      .received(
        from: leader,
        .council(
          .appendEntries(
            term: 1, leader: leader, previousLogIndex: 0, previousLogTerm: 0, entries: [],
            leaderCommit: 0)), now: 50))
    let values: [Float] = [1, 1, 1, 1]
    let digest = Digest.of(values: values)
    let effects = member.handle(
      .received(from: leader, .round(.model(round: 1, digest: digest, values: values)), now: 60))
    let writeIndex = try #require(
      effects.firstIndex {
        if case .persist(.heldModel(_, digest, values)) = $0 { true } else { false }
      })
    let acknowledgementIndex = try #require(
      effects.firstIndex {
        if case .send(leader, .round(.modelStored(digest))) = $0 { true } else { false }
      })
    #expect(writeIndex < acknowledgementIndex)
    #expect(member.storedModels[digest] == values)
  }

  @Test func durableStateReplaysTheWritesOfASteps() {
    var state = NodeDurableState(
      council: nil, committedRound: 0, model: NodeScript.initialModel, lastStartedRound: 0)
    let values: [Float] = [1, 2, 3, 4]
    let digest = Digest.of(values: values)
    state.apply(.heldModel(round: 3, digest: digest, values: values))
    state.apply(.startedRound(3))
    state.apply(.startedRound(2))
    #expect(state.storedModels[digest] == values && state.lastStartedRound == 3)
    state.apply(
      .committedModel(round: 3, digest: digest, values: values, releasesHeldModels: true))
    #expect(state.committedRound == 3 && state.model == values && state.storedModels.isEmpty)
    state.apply(
      .council(
        CouncilWrite(
          sequence: 1, term: 2, votedFor: NodeScript.peer(1),
          entries: [LogEntry(term: 2, index: 1, command: .noOperation)])))
    #expect(state.council?.currentTerm == 2 && state.council?.entries.count == 1)
  }
}

/// A training request of `round` on the model `base`, as an aggregator sends it.
private func trainRequest(_ round: UInt64, on base: [Float]) -> Message {
  .round(.train(round: round, baseModel: Digest.of(values: base), deadlineMilliseconds: 5_000))
}

/// The model `values`, labelled `round` and named by their digest.
private func modelMessage(_ round: UInt64, _ values: [Float]) -> Message {
  .round(.model(round: round, digest: Digest.of(values: values), values: values))
}
