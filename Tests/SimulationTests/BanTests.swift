import Coordination
import Node
import Simulation
import Testing
import Wire

/// Bans through the council log: an aggregator whose partial breaks the protocol is banned by
/// the coordinator, removed from the council, and never serves or trains again.
struct BanTests {
  func run(bans: Bool, seed: UInt64 = 5) -> SimulationReport {
    let peerCount = 12
    let training = SyntheticTraining(modelLength: 32, samplesPerUpdate: 600, seed: seed)
    let council = (0..<5).map { PeerID(simulatedIndex: UInt64($0)) }
    var node = NodeSettings(
      mode: .fdfl,
      plan: RoundPlan(trainersPerRound: 7, roundDurationMilliseconds: 5_000),
      modelLength: training.modelLength, council: council)
    node.aggregatorCount = 4
    node.rotateEvery = 1_000
    node.rotatesCouncilMembers = false
    node.bansMisbehavingAggregators = bans
    var settings = SimulationSettings(
      seed: seed, peerCount: peerCount, node: node, rounds: 8,
      samplesPerSecond: Array(repeating: 20_000, count: peerCount))
    // Council member 2 (an aggregator; member 1 coordinates this seed) sends partials of
    // non-finite values.
    settings.maliciousAggregators = [2]
    settings.maliciousAggregatorScale = .infinity
    return Simulator(settings: settings, training: training, initialModel: training.initialModel)
      .run()
  }

  @Test func anAggregatorWhosePartialBreaksTheProtocolIsBannedAndLeavesTheCouncil() throws {
    let liar = PeerID(simulatedIndex: 2)
    let report = run(bans: true)
    #expect(report.violations.isEmpty, "\(report.violations)")
    #expect(report.rounds.count == 8)
    #expect(report.banned == [liar])
    // Once banned it aggregates no committed round, and it leaves the council.
    let firstWithout = try #require(report.rounds.firstIndex { !$0.council.contains(liar) })
    #expect(report.rounds[firstWithout...].allSatisfy { !$0.aggregators.contains(liar) })
    #expect(report.rounds[firstWithout...].allSatisfy { !$0.trainers.contains(liar) })
    #expect(!report.rounds.last!.council.contains(liar))
    // Without bans it keeps its seat, and its refused partials keep costing its groups.
    let tolerated = run(bans: false)
    #expect(tolerated.banned.isEmpty)
    #expect(tolerated.rejected > report.rejected)
  }
}
