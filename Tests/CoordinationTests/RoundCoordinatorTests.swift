import Coordination
import Testing
import Wire

struct RoundCoordinatorTests {
  let aggregators = [PeerID(simulatedIndex: 100), PeerID(simulatedIndex: 101)]
  let trainers = (1...6).map { PeerID(simulatedIndex: UInt64($0)) }
  let plan = RoundPlan(trainersPerRound: 4, roundDurationMilliseconds: 1_000)

  func opened() -> (RoundCoordinator, RoundStart) {
    var coordinator = RoundCoordinator(
      plan: plan, committedRound: 0, model: [1, 1], lastStartedRound: 0)
    let actions = coordinator.handle(
      .open(
        now: 0, trainers: trainers.map { TrainerCandidate(peer: $0) }, aggregators: aggregators,
        seed: 9))
    guard case .propose(.startRound(let start)) = actions.first else {
      Issue.record("expected a startRound proposal, got \(actions)")
      return (
        coordinator,
        RoundStart(round: 0, baseModel: .zero, deadlineMilliseconds: 0, assignments: [])
      )
    }
    _ = coordinator.handle(.startCommitted(start))
    return (coordinator, start)
  }

  /// A round opened, with the first aggregator's partial (weight 1, [1, 1]) in at 10 ms.
  func openedWithTheFirstPartial() -> (RoundCoordinator, RoundStart) {
    var (coordinator, start) = opened()
    _ = coordinator.handle(
      .partial(
        from: aggregators[0], round: 1, weight: 1, trainers: group(start, aggregators[0]),
        values: [1, 1], now: 10))
    return (coordinator, start)
  }

  func group(_ start: RoundStart, _ aggregator: PeerID) -> [PeerID] {
    start.assignments.filter { $0.aggregator == aggregator }.map(\.trainer)
  }

  @Test func openingSamplesTrainersAndBalancesThemAcrossAggregators() {
    let (coordinator, start) = opened()
    #expect(start.round == 1)
    #expect(start.baseModel == Digest.of(values: [1, 1]))
    #expect(start.assignments.count == 4)
    #expect(Set(start.assignments.map(\.trainer)).count == 4)
    #expect(group(start, aggregators[0]).count == 2 && group(start, aggregators[1]).count == 2)
    #expect(coordinator.openRound == start)
  }

  @Test func assignmentPrefersNearbyAggregatorsWhileLoadAllows() {
    var coordinator = RoundCoordinator(
      plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 10), committedRound: 0,
      model: [0], lastStartedRound: 0)
    let near = trainers.prefix(2).map {
      TrainerCandidate(peer: $0, roundTripMilliseconds: [aggregators[0]: 400, aggregators[1]: 5])
    }
    let actions = coordinator.handle(
      .open(now: 0, trainers: near, aggregators: aggregators, seed: 1))
    guard case .propose(.startRound(let start)) = actions.first else {
      Issue.record("no proposal"); return
    }
    #expect(start.assignments.allSatisfy { $0.aggregator == aggregators[1] })
  }

  @Test func partialsCombineIntoTheWeightedMeanUpdateAndTheCommitNamesContributors() {
    var (coordinator, start) = opened()
    let first = group(start, aggregators[0])
    let second = group(start, aggregators[1])
    #expect(
      coordinator.handle(
        .partial(
          from: aggregators[0], round: 1, weight: 2, trainers: first, values: [2, 0], now: 10)
      ).isEmpty)
    let actions = coordinator.handle(
      .partial(
        from: aggregators[1], round: 1, weight: 2, trainers: second, values: [2, 4], now: 20))
    let expectedModel: [Float] = [2, 2]  // [1, 1] + ([2, 0] + [2, 4]) / 4
    let commit = RoundCommit(
      round: 1, model: Digest.of(values: expectedModel), aggregators: aggregators.sorted(),
      // Four trainers sampled from six candidates: the privacy accountant's rate for the round.
      trainers: (first + second).sorted(), sampledTrainers: 4, population: 6)
    #expect(
      actions == [
        .publishModel(round: 1, digest: commit.model, values: expectedModel),
        .propose(.commitRound(commit)),
      ])
  }

  @Test func theDeadlineCommitsWithoutMissingAggregators() {
    var (coordinator, _) = openedWithTheFirstPartial()
    // The deadline is 1 000 ms; a partial sent then still has the grace (100 ms) to arrive.
    #expect(coordinator.handle(.tick(now: 1_000)).isEmpty)
    #expect(coordinator.handle(.tick(now: 1_099)).isEmpty)
    let actions = coordinator.handle(.tick(now: 1_100))
    guard case .propose(.commitRound(let commit)) = actions.last else {
      Issue.record("no commit: \(actions)"); return
    }
    #expect(commit.aggregators == [aggregators[0]])
    #expect(coordinator.handle(.tick(now: 1_101)).isEmpty, "a round is proposed once")
  }

  @Test func aPartialSentAtTheDeadlineIsCountedWithinTheGrace() {
    var (coordinator, start) = openedWithTheFirstPartial()
    #expect(coordinator.handle(.tick(now: 1_000)).isEmpty)
    let actions = coordinator.handle(
      .partial(
        from: aggregators[1], round: 1, weight: 1, trainers: group(start, aggregators[1]),
        values: [1, 1], now: 1_040))
    guard case .propose(.commitRound(let commit)) = actions.last else {
      Issue.record("no commit: \(actions)"); return
    }
    #expect(commit.aggregators == aggregators.sorted())
  }

  @Test func aTrainerCannotBeCountedTwiceNorByAForeignAggregator() {
    var (coordinator, start) = opened()
    let first = group(start, aggregators[0])
    let second = group(start, aggregators[1])
    #expect(
      coordinator.handle(
        .partial(
          from: aggregators[1], round: 1, weight: 1, trainers: first, values: [0, 0], now: 5)) == [
          .rejected(from: aggregators[1], .trainerNotInGroup(first[0]))
        ])
    var other = opened().0
    #expect(
      other.handle(
        .partial(
          from: aggregators[1], round: 1, weight: 1, trainers: [second[0], second[0]],
          values: [0, 0], now: 5)) == [
          .rejected(from: aggregators[1], .trainerCountedTwice(second[0]))
        ])
    _ = coordinator.handle(
      .partial(from: aggregators[0], round: 1, weight: 1, trainers: first, values: [0, 0], now: 5))
    #expect(
      coordinator.handle(
        .partial(
          from: aggregators[0], round: 1, weight: 1, trainers: first, values: [0, 0], now: 6)) == [
          .rejected(from: aggregators[0], .duplicate)
        ])
    #expect(
      coordinator.handle(
        .partial(from: trainers[5], round: 1, weight: 1, trainers: [], values: [0, 0], now: 6)) == [
          .rejected(from: trainers[5], .notAssigned)
        ])
  }

  @Test func aRefusedPartialEndsItsAggregatorsTurnSoTheRoundDoesNotWaitForTheDeadline() {
    var (coordinator, start) = opened()
    let first = group(start, aggregators[0])
    let second = group(start, aggregators[1])
    #expect(
      coordinator.handle(
        .partial(
          from: aggregators[1], round: 1, weight: 1, trainers: second, values: [.nan, 0], now: 5))
        == [.rejected(from: aggregators[1], .nonFinite)])
    // Its turn is over: a second try is a duplicate.
    #expect(
      coordinator.handle(
        .partial(
          from: aggregators[1], round: 1, weight: 1, trainers: second, values: [0, 0], now: 6))
        == [.rejected(from: aggregators[1], .duplicate)])
    // The other group completes the round at once, long before the deadline (1 000 ms).
    let actions = coordinator.handle(
      .partial(from: aggregators[0], round: 1, weight: 2, trainers: first, values: [2, 2], now: 7))
    guard case .propose(.commitRound(let commit)) = actions.last else {
      Issue.record("no commit: \(actions)"); return
    }
    #expect(commit.aggregators == [aggregators[0]])
    #expect(commit.trainers == first.sorted())
  }

  @Test func aNewCoordinatorRestartsAnUncommittedRoundUnderANewNumberFromTheCommittedModel() {
    // Round 1 started but never committed; the successor knows only the committed state.
    var successor = RoundCoordinator(
      plan: plan, committedRound: 0, model: [1, 1], lastStartedRound: 1)
    let actions = successor.handle(
      .open(
        now: 5_000, trainers: trainers.map { TrainerCandidate(peer: $0) }, aggregators: aggregators,
        seed: 3))
    guard case .propose(.startRound(let start)) = actions.first else {
      Issue.record("no proposal"); return
    }
    #expect(start.round == 2)
    #expect(start.baseModel == Digest.of(values: [1, 1]))
    _ = successor.handle(.startCommitted(start))
    #expect(
      successor.handle(
        .partial(
          from: aggregators[0], round: 1, weight: 1, trainers: [], values: [0, 0], now: 5_010)) == [
          .rejected(from: aggregators[0], .wrongRound(expected: 2, received: 1))
        ])
  }

  @Test func aCommittedRoundIsNeverReplacedByAnOlderOne() {
    var (coordinator, _) = opened()
    _ = coordinator.handle(
      .commitCommitted(
        RoundCommit(round: 1, model: Digest.of(values: [3, 3]), aggregators: [], trainers: []),
        values: [3, 3]))
    _ = coordinator.handle(
      .commitCommitted(
        RoundCommit(round: 1, model: Digest.of(values: [9, 9]), aggregators: [], trainers: []),
        values: [9, 9]))
    #expect(coordinator.model == [3, 3])
    #expect(coordinator.committedRound == 1)
  }
}
