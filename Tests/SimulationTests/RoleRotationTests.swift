import Coordination
import Node
import Simulation
import Testing
import Wire

/// Roles follow the deterministic ranking: each epoch's coordinator is the first-ranked live
/// council member (leadership is handed to it between rounds, with no crash), and with council
/// rotation on, better-ranked outsiders enter the council one per epoch.
struct RoleRotationTests {
  static let councilSize = 5
  static let rotateEvery = 3

  func run(
    rotatingCouncil: Bool, seed: UInt64 = 21, rounds: Int = 15, samplesPerSecond: Double = 20_000,
    councilEligibleAfterRounds: Int = 0
  ) -> SimulationReport {
    let peerCount = 14
    let training = SyntheticTraining(modelLength: 64, samplesPerUpdate: 600, seed: seed)
    let council = (0..<Self.councilSize).map { PeerID(simulatedIndex: UInt64($0)) }
    var node = NodeSettings(
      mode: .fdfl,
      plan: RoundPlan(
        trainersPerRound: peerCount - Self.councilSize, roundDurationMilliseconds: 5_000),
      modelLength: training.modelLength, council: council)
    node.rotateEvery = Self.rotateEvery
    node.aggregatorCount = 2
    node.replacesCouncilMembers = rotatingCouncil
    node.rotatesCouncilMembers = rotatingCouncil
    node.handsOverToRankedCoordinator = true
    node.councilEligibleAfterRounds = councilEligibleAfterRounds
    let settings = SimulationSettings(
      seed: seed, peerCount: peerCount, node: node, rounds: rounds,
      samplesPerSecond: Array(repeating: samplesPerSecond, count: peerCount))
    return Simulator(settings: settings, training: training, initialModel: training.initialModel)
      .run()
  }

  /// The ranking every member can recompute: all members here have the same capacity and
  /// uptime weight, so the order comes from the committed model's digest alone.
  func rankedCoordinator(of members: [PeerID], seed: Digest) -> PeerID {
    let candidates = members.map {
      RoleCandidate(
        peer: $0, capacity: Capacity(samplesPerSecond: 1_000, bandwidthBytesPerSecond: 12_500_000),
        uptimeMilliseconds: 0)
    }
    return RoleRanking.rank(candidates, seed: seed)[0]
  }

  /// Every epoch after the first is coordinated, in all its rounds, by the member ranked first
  /// from the model committed just before it (round r opens in epoch (r - 1) / rotateEvery).
  func expectEachEpochFollowsTheRanking(_ report: SimulationReport, rounds: Int) {
    for epoch in 1..<(rounds / Self.rotateEvery) {
      let seedRound = epoch * Self.rotateEvery
      let digest = report.rounds[seedRound - 1].model
      let expected = rankedCoordinator(of: report.rounds[seedRound - 1].council, seed: digest)
      let epochRounds = report.rounds[seedRound..<(seedRound + Self.rotateEvery)]
      #expect(
        epochRounds.allSatisfy { $0.coordinator == expected },
        "epoch \(epoch): \(epochRounds.map(\.coordinator)) expected \(expected)")
    }
  }

  @Test func eachEpochIsCoordinatedByItsFirstRankedMemberWithoutAnyCrash() {
    let report = run(rotatingCouncil: false)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 15)
    #expect(report.crashes == 0)
    #expect(report.coordinatorChanges >= 2, "leadership moved by handover")
    expectEachEpochFollowsTheRanking(report, rounds: 15)
  }

  @Test func betterRankedOutsidersEnterTheCouncilOnePerEpochAndItsSizeHolds() {
    let report = run(rotatingCouncil: true, rounds: 18)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 18)
    let bootstrap = Set((0..<Self.councilSize).map { PeerID(simulatedIndex: UInt64($0)) })
    let final = Set(report.rounds.last!.council)
    #expect(!final.subtracting(bootstrap).isEmpty, "outsiders joined")
    // An outsider joins first and the lowest-ranked member retires next: the council is one
    // larger only between those two changes, never for a whole epoch.
    let sizes = report.rounds.map(\.council.count)
    #expect(sizes.filter { $0 == Self.councilSize }.count >= sizes.count / 2, "\(sizes)")
    // At most one new member per epoch: six epochs, so at most six newcomers in all.
    var seen = bootstrap
    var newcomers = 0
    for round in report.rounds {
      newcomers += Set(round.council).subtracting(seen).count
      seen.formUnion(round.council)
      #expect(round.council.count <= Self.councilSize + 1)
    }
    #expect(newcomers <= 18 / Self.rotateEvery)
  }

  /// Sybil resistance: an outsider joins the council only after it trained in enough committed
  /// rounds. With every trainer sampled each round, no one qualifies before round 7 for a wait
  /// of 7 rounds, so the first 7 rounds keep the founding council; outsiders still join later.
  @Test func anOutsiderJoinsTheCouncilOnlyAfterTrainingInEnoughCommittedRounds() {
    let report = run(rotatingCouncil: true, rounds: 18, councilEligibleAfterRounds: 7)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 18)
    let bootstrap = Set((0..<Self.councilSize).map { PeerID(simulatedIndex: UInt64($0)) })
    for round in report.rounds.prefix(7) {
      #expect(Set(round.council).isSubset(of: bootstrap), "round \(round.round): \(round.council)")
    }
    #expect(!Set(report.rounds.last!.council).subtracting(bootstrap).isEmpty, "outsiders joined")
    // The same run without the wait lets an outsider in within the first 7 rounds.
    let eager = run(rotatingCouncil: true, rounds: 18)
    #expect(
      eager.rounds.prefix(7).contains { !Set($0.council).isSubset(of: bootstrap) },
      "without the wait an outsider joins early (else this test shows nothing)")
  }

  /// With council rotation on as well, every epoch is still coordinated by its first-ranked
  /// member (rotation happens inside a round, after the epoch's roles are decided). Seed 25
  /// breaks the ranking when a rotation may start between rounds.
  @Test func rotationLeavesRoomForTheHandoverToTheRankedCoordinator() {
    let report = run(rotatingCouncil: true, seed: 25, rounds: 18, samplesPerSecond: 600)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.crashes == 0)
    expectEachEpochFollowsTheRanking(report, rounds: 18)
  }
}
