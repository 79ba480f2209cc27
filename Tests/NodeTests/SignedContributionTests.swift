import Coordination
import Identity
import Testing
import Wire

@testable import Node

/// Signed updates and partials: what an aggregator and a coordinator refuse, and why.
@Suite struct SignedContributionTests {
  static let project = [UInt8](repeating: 7, count: 32)
  static func key(_ index: UInt8) -> SigningKeyPair {
    SigningKeyPair(seed: [UInt8](repeating: index, count: 32))
  }
  static func peer(_ key: SigningKeyPair) -> PeerID { PeerID(publicKey: key.publicKey) }

  let coordinatorKey = Self.key(1)
  let aggregatorKey = Self.key(2)
  let firstKey = Self.key(3)
  let secondKey = Self.key(4)
  var coordinator: PeerID { Self.peer(coordinatorKey) }
  var aggregatorPeer: PeerID { Self.peer(aggregatorKey) }
  var first: PeerID { Self.peer(firstKey) }
  var second: PeerID { Self.peer(secondKey) }

  /// A signing node of a 5-peer fdfl project whose council is the coordinator, the aggregator
  /// and one more peer.
  func node(_ key: SigningKeyPair, project: [UInt8] = project) -> NodeController {
    let others = Self.peer(Self.key(5))
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: [coordinator, aggregatorPeer, others])
    settings.signing = ContributionSigning(project: project, keyPair: key)
    return NodeController(
      me: Self.peer(key), settings: settings,
      peers: [coordinator, aggregatorPeer, others, first, second],
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: [0, 0, 0, 0], lastStartedRound: 0),
      seed: 7)
  }

  /// A trainer's signed update for `aggregator`, signed by `key`.
  static func update(
    round: UInt64, weight: UInt32, values: [Float], by key: SigningKeyPair, for aggregator: PeerID,
    nonce: UInt64, project: [UInt8] = project
  ) -> RoundMessage {
    let statement = SignedStatement.update(
      project: project, round: round, aggregator: aggregator, weight: weight,
      valuesDigest: Digest.of(values: values), nonce: nonce)
    return .signedUpdate(
      round: round, weight: weight, values: values,
      attestation: Attestation(
        publicKey: key.publicKey, nonce: nonce, signature: key.sign(statement)))
  }

  static func rejections(_ effects: [NodeEffect]) -> [ContributionRejection] {
    effects.compactMap { if case .rejected(_, let reason) = $0 { reason } else { nil } }
  }

  /// The aggregator with round 1 open for `first` and `second`.
  func openAggregator() -> NodeController {
    var aggregator = node(aggregatorKey)
    let start = RoundStart(
      round: 1, baseModel: Digest.of(values: [0, 0, 0, 0]), deadlineMilliseconds: 5_000,
      assignments: [
        TrainerAssignment(trainer: first, aggregator: aggregatorPeer),
        TrainerAssignment(trainer: second, aggregator: aggregatorPeer),
      ])
    _ = aggregator.handle(.received(from: coordinator, .round(.aggregate(start)), now: 10))
    return aggregator
  }

  /// The aggregator's signed partial of one honest round.
  func honestPartial() throws -> RoundMessage {
    var aggregator = openAggregator()
    _ = aggregator.handle(
      .received(
        from: first,
        .round(
          Self.update(
            round: 1, weight: 1, values: [1, 1, 1, 1], by: firstKey, for: aggregatorPeer, nonce: 1)),
        now: 20))
    let effects = aggregator.handle(
      .received(
        from: second,
        .round(
          Self.update(
            round: 1, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: aggregatorPeer, nonce: 1)
        ),
        now: 30))
    return try #require(NodeScript.roundMessages(effects).first { $0.to == coordinator }?.message)
  }

  @Test func anAggregatorRefusesForgedAlteredReplayedPastRoundAndUnsignedUpdates() {
    var aggregator = openAggregator()
    let good = Self.update(
      round: 1, weight: 1, values: [1, 1, 1, 1], by: firstKey, for: aggregatorPeer, nonce: 1)
    #expect(Self.rejections(aggregator.handle(.received(from: first, .round(good), now: 20))) == [])
    // The same signed message again.
    #expect(
      Self.rejections(aggregator.handle(.received(from: first, .round(good), now: 21)))
        == [.replayed])
    // Signed with another peer's key.
    let forged = Self.update(
      round: 1, weight: 3, values: [2, 0, 2, 0], by: firstKey, for: aggregatorPeer, nonce: 2)
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(forged), now: 22)))
        == [.forgedSignature])
    // Values changed after signing.
    guard
      case .signedUpdate(let round, let weight, _, let attestation) = Self.update(
        round: 1, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: aggregatorPeer, nonce: 3)
    else { return }
    let altered = RoundMessage.signedUpdate(
      round: round, weight: weight, values: [9, 0, 2, 0], attestation: attestation)
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(altered), now: 23)))
        == [.forgedSignature])
    // Signed for another aggregator, or for another project.
    let elsewhere = Self.update(
      round: 1, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: coordinator, nonce: 4)
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(elsewhere), now: 24)))
        == [.forgedSignature])
    let otherProject = Self.update(
      round: 1, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: aggregatorPeer, nonce: 5,
      project: [UInt8](repeating: 8, count: 32))
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(otherProject), now: 25)))
        == [.forgedSignature])
    // A past round: the signature holds, the round does not.
    let past = Self.update(
      round: 0, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: aggregatorPeer, nonce: 6)
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(past), now: 26)))
        == [.wrongRound(expected: 1, received: 0)])
    // Unsigned.
    let unsigned = RoundMessage.update(round: 1, weight: 3, values: [2, 0, 2, 0])
    #expect(
      Self.rejections(aggregator.handle(.received(from: second, .round(unsigned), now: 27)))
        == [.unsigned])
    // None of these counted: the honest update still completes the group.
    let honest = Self.update(
      round: 1, weight: 3, values: [2, 0, 2, 0], by: secondKey, for: aggregatorPeer, nonce: 7)
    let effects = aggregator.handle(.received(from: second, .round(honest), now: 28))
    #expect(Self.rejections(effects) == [])
    #expect(NodeScript.roundMessages(effects).map(\.to) == [coordinator])
  }

  @Test func aSignedPartialCarriesTheReceiptsAndTheAggregatorsSignature() throws {
    let partial = try honestPartial()
    guard
      case .signedPartial(let round, let weight, let receipts, let values, let attestation) =
        partial
    else {
      Issue.record("not a signed partial: \(partial)")
      return
    }
    #expect(round == 1 && weight == 4 && values == [7, 1, 7, 1])
    #expect(receipts.map(\.trainer) == [first, second])
    #expect(attestation.author == aggregatorPeer)
    var checker = node(coordinatorKey)
    #expect(
      checker.checkSignedPartial(
        round: round, weight: weight, receipts: receipts, valuesDigest: Digest.of(values: values),
        attestation: attestation, from: aggregatorPeer) == nil)
    // The same partial again is a replay.
    #expect(
      checker.checkSignedPartial(
        round: round, weight: weight, receipts: receipts, valuesDigest: Digest.of(values: values),
        attestation: attestation, from: aggregatorPeer) == .replayed)
  }

  @Test func aCoordinatorRefusesAnAlteredUpdateAndAForgedPartial() throws {
    guard
      case .signedPartial(let round, let weight, var receipts, var values, _) = try honestPartial()
    else { return }
    let honestReceipts = receipts
    var checker = node(coordinatorKey)
    // The aggregator alters the first trainer's update and signs the partial again itself.
    for index in values.indices { values[index] += 1 }
    receipts[0].valuesDigest = Digest.of(values: [2, 2, 2, 2])
    func signed(by key: SigningKeyPair, nonce: UInt64) -> Attestation {
      let statement = SignedStatement.partial(
        project: Self.project, round: round, weight: weight, receipts: receipts,
        valuesDigest: Digest.of(values: values), nonce: nonce)
      return Attestation(publicKey: key.publicKey, nonce: nonce, signature: key.sign(statement))
    }
    #expect(
      checker.checkSignedPartial(
        round: round, weight: weight, receipts: receipts, valuesDigest: Digest.of(values: values),
        attestation: signed(by: aggregatorKey, nonce: 100), from: aggregatorPeer)
        == .alteredUpdate(first))
    // A partial passed off as the aggregator's by someone else.
    #expect(
      checker.checkSignedPartial(
        round: round, weight: weight, receipts: receipts, valuesDigest: Digest.of(values: values),
        attestation: signed(by: coordinatorKey, nonce: 101), from: aggregatorPeer)
        == .forgedSignature)
    // The honest receipts moved to another round, under a partial the aggregator signs for
    // round 2: the trainers signed round 1, so the first receipt no longer verifies.
    let moved = SignedStatement.partial(
      project: Self.project, round: 2, weight: weight, receipts: honestReceipts,
      valuesDigest: Digest.of(values: values), nonce: 102)
    #expect(
      checker.checkSignedPartial(
        round: 2, weight: weight, receipts: honestReceipts,
        valuesDigest: Digest.of(values: values),
        attestation: Attestation(
          publicKey: aggregatorKey.publicKey, nonce: 102, signature: aggregatorKey.sign(moved)),
        from: aggregatorPeer) == .alteredUpdate(first))
  }
}
