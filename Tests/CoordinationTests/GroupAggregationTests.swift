import Coordination
import Testing
import Wire

struct GroupAggregationTests {
  let me = PeerID(simulatedIndex: 100)
  let coordinator = PeerID(simulatedIndex: 0)
  let trainers = (1...3).map { PeerID(simulatedIndex: UInt64($0)) }
  let stranger = PeerID(simulatedIndex: 50)

  func started() -> (GroupAggregation, [GroupAggregation.Action]) {
    var group = GroupAggregation(me: me, modelLength: 2)
    let start = RoundStart(
      round: 7, baseModel: .zero, deadlineMilliseconds: 1_000,
      assignments: trainers.map { TrainerAssignment(trainer: $0, aggregator: me) }
        + [TrainerAssignment(trainer: stranger, aggregator: PeerID(simulatedIndex: 101))])
    let actions = group.handle(.roundStarted(start, coordinator: coordinator, now: 0))
    return (group, actions)
  }

  @Test func aRepeatedStartOfTheOpenRoundKeepsItsUpdates() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 10))
    let start = RoundStart(
      round: 7, baseModel: .zero, deadlineMilliseconds: 1_000,
      assignments: trainers.map { TrainerAssignment(trainer: $0, aggregator: me) })
    #expect(group.handle(.roundStarted(start, coordinator: coordinator, now: 20)).isEmpty)
    #expect(group.includedTrainers == [trainers[0]])
  }

  @Test func startingARoundSendsTheTrainTaskToEachOwnTrainer() {
    let (_, actions) = started()
    let targets = actions.compactMap { action -> PeerID? in
      if case .send(let peer, .train(7, _, 1_000)) = action { return peer }
      return nil
    }
    #expect(Set(targets) == Set(trainers))
  }

  @Test func partialIsTheWeightedSumOnceEveryTrainerReported() {
    var (group, _) = started()
    #expect(
      group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 2], now: 10)).isEmpty
    )
    #expect(
      group.handle(.update(from: trainers[1], round: 7, weight: 3, values: [1, 0], now: 20)).isEmpty
    )
    let actions = group.handle(
      .update(from: trainers[2], round: 7, weight: 2, values: [0, -1], now: 30))
    #expect(
      actions == [
        .send(to: coordinator, .partial(round: 7, weight: 6, trainers: trainers, values: [4, 0]))
      ])
  }

  @Test func deadlineSendsWhatArrivedAndLaterUpdatesAreLate() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 2, values: [1, 1], now: 10))
    #expect(group.handle(.tick(now: 999)).isEmpty)
    #expect(
      group.handle(.tick(now: 1_000)) == [
        .send(
          to: coordinator, .partial(round: 7, weight: 2, trainers: [trainers[0]], values: [2, 2]))
      ])
    #expect(group.handle(.tick(now: 2_000)).isEmpty, "one partial per round")
    #expect(
      group.handle(.update(from: trainers[1], round: 7, weight: 1, values: [1, 1], now: 1_001)) == [
        .rejected(from: trainers[1], .late)
      ])
  }

  @Test(arguments: [
    (
      UInt64(6), 0, UInt32(1), [Float(1), 1],
      ContributionRejection.wrongRound(expected: 7, received: 6)
    ),
    (7, 3, 1, [1, 1], .notAssigned),
    (7, 0, 0, [1, 1], .weightOutOfRange(0)),
    (
      7, 0, GroupAggregation.updateWeightMax + 1, [1, 1],
      .weightOutOfRange(UInt64(GroupAggregation.updateWeightMax) + 1)
    ),
    (7, 0, 1, [1], .wrongLength(expected: 2, received: 1)),
    (7, 0, 1, [.nan, 1], .nonFinite),
    (7, 0, 1, [.infinity, 1], .nonFinite),
  ])
  func badUpdatesAreRejectedWithAReason(
    round: UInt64, sender: Int, weight: UInt32, values: [Float], reason: ContributionRejection
  ) {
    var (group, _) = started()
    let peer = sender < 3 ? trainers[sender] : stranger
    #expect(
      group.handle(.update(from: peer, round: round, weight: weight, values: values, now: 5)) == [
        .rejected(from: peer, reason)
      ])
    #expect(group.includedTrainers.isEmpty)
  }

  @Test func aDuplicateUpdateIsCountedOnce() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 5))
    #expect(
      group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 6)) == [
        .rejected(from: trainers[0], .duplicate)
      ])
    #expect(group.includedTrainers == [trainers[0]])
  }
}

extension GroupAggregationTests {
  /// A trainer with no data answers with weight 0: refused, and the group does not wait for it
  /// until the deadline (this held every later round of a real-training run to its deadline).
  @Test func aRefusedUpdateEndsItsTrainersTurnSoThePartialGoesOutWithoutIt() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 10))
    #expect(
      group.handle(.update(from: trainers[1], round: 7, weight: 0, values: [0, 0], now: 20)) == [
        .rejected(from: trainers[1], .weightOutOfRange(0))
      ])
    #expect(
      group.handle(.update(from: trainers[1], round: 7, weight: 1, values: [5, 5], now: 25)) == [
        .rejected(from: trainers[1], .duplicate)
      ])
    #expect(
      group.handle(.update(from: trainers[2], round: 7, weight: 1, values: [1, 1], now: 30)) == [
        .send(
          to: coordinator,
          .partial(round: 7, weight: 2, trainers: [trainers[0], trainers[2]], values: [2, 2]))
      ])
  }

  /// The last answer being a refused one also completes the group.
  @Test func aRefusedLastUpdateCompletesTheGroup() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 10))
    _ = group.handle(.update(from: trainers[1], round: 7, weight: 1, values: [1, 1], now: 20))
    #expect(
      group.handle(.update(from: trainers[2], round: 7, weight: 1, values: [.nan, 1], now: 30)) == [
        .rejected(from: trainers[2], .nonFinite),
        .send(
          to: coordinator,
          .partial(round: 7, weight: 2, trainers: [trainers[0], trainers[1]], values: [2, 2])),
      ])
  }

  @Test func thePartialGoesOutEarlyWhenOnlyUnreachableTrainersAreMissing() {
    var (group, _) = started()
    _ = group.handle(.update(from: trainers[0], round: 7, weight: 1, values: [1, 1], now: 10))
    // Trainer 2 is down, trainer 1 is not known to be: keep waiting.
    #expect(group.handle(.tick(now: 20, unreachable: [trainers[2]])).isEmpty)
    _ = group.handle(.update(from: trainers[1], round: 7, weight: 1, values: [1, 1], now: 30))
    #expect(
      group.handle(.tick(now: 40, unreachable: [trainers[2]]))
        == [
          .send(
            to: coordinator,
            .partial(round: 7, weight: 2, trainers: [trainers[0], trainers[1]], values: [2, 2]))
        ])
  }
}

extension GroupAggregationTests {
  @Test func aGroupWithNoUpdateGoesOutEmptyOnlyWhenItsTrainersAreLostNotMerelySuspected() {
    var (group, _) = started()
    // Every trainer suspected: keep waiting, a suspicion may be wrong.
    #expect(group.handle(.tick(now: 20, unreachable: Set(trainers))).isEmpty)
    // Declared dead (or restarted): their trainings are gone, so the group says so at once.
    #expect(
      group.handle(.tick(now: 30, unreachable: Set(trainers), lost: Set(trainers)))
        == [.send(to: coordinator, .partial(round: 7, weight: 0, trainers: [], values: [0, 0]))])
  }
}

/// With a robust rule, the aggregator keeps each update and hands the group to the node.
struct GroupAggregationKeepingUpdatesTests {
  @Test func aCompleteGroupIsHandedOverWholeInArrivalOrder() {
    let me = PeerID(simulatedIndex: 100)
    let coordinator = PeerID(simulatedIndex: 0)
    let trainers = (1...3).map { PeerID(simulatedIndex: UInt64($0)) }
    var group = GroupAggregation(me: me, modelLength: 2)
    group.keepsIndividualUpdates = true
    let start = RoundStart(
      round: 4, baseModel: .zero, deadlineMilliseconds: 1_000,
      assignments: trainers.map { TrainerAssignment(trainer: $0, aggregator: me) })
    _ = group.handle(.roundStarted(start, coordinator: coordinator, now: 0))
    var last: [GroupAggregation.Action] = []
    for (position, trainer) in trainers.reversed().enumerated() {
      last = group.handle(
        .update(
          from: trainer, round: 4, weight: UInt32(position + 1), values: [Float(position), 1],
          now: 10))
    }
    let expected = trainers.reversed().enumerated().map { position, trainer in
      GroupAggregation.ContributedUpdate(
        trainer: trainer, weight: UInt32(position + 1), values: [Float(position), 1])
    }
    #expect(last == [.combine(round: 4, coordinator: coordinator, updates: expected)])
    // A duplicate after the hand-over is still refused.
    let duplicate = group.handle(
      .update(from: trainers[0], round: 4, weight: 1, values: [0, 0], now: 20))
    #expect(duplicate.count == 1)
  }
}
