import Coordination
import Learning
import Simulation
import Testing
import Wire

/// Link queueing as the simulator applies it to real rounds: a federated server with 4 trainers.
extension SimulatorTests {
  /// The bytes of one model message in `makeSimulator`'s runs (its wire encoding).
  var modelBytes: UInt64 {
    let parameters = ModelArchitecture.mlp(inputs: 784, classes: 4).makeModel(seed: 3)
      .flattenedParameters()
    let model = Message.round(
      .model(round: 1, digest: Digest.of(values: parameters), values: parameters))
    return UInt64(model.wireBytes.count)
  }

  /// A bandwidth at which one model message takes about 3 s.
  var slowBandwidth: UInt64 { modelBytes / 3_000 }

  @Test func aSlowServerUplinkSendsTheModelToEachTrainerInTurn() throws {
    let bandwidth = slowBandwidth
    let report = try makeSimulator(seed: 5, rounds: 2) { settings in
      settings.network.profiles[PeerID(simulatedIndex: 0)] = LinkProfile(
        bandwidthBytesPerMillisecond: bandwidth)
    }.run()
    // Trainers start from the initial model; for round 2 each of the 4 needs its own copy of the
    // first committed model: 4 transmissions back to back, where bandwidth per message alone
    // would have taken about one.
    try #require(report.rounds.count == 2)
    let interval = report.rounds[1].virtualMilliseconds - report.rounds[0].virtualMilliseconds
    #expect(interval >= 4 * modelBytes / bandwidth)
    #expect(report.uplinkWaitMillisecondsMaximum >= 3 * modelBytes / bandwidth - 1)
    #expect(report.messagesLostWithCrashedSender == 0 && report.messagesDroppedAtFullUplink == 0)
  }

  @Test func aSlowServerDownlinkTakesTheUpdatesInOneAfterTheOther() throws {
    let bandwidth = slowBandwidth
    let report = try makeSimulator(seed: 5, rounds: 1) { settings in
      settings.network.profiles[PeerID(simulatedIndex: 0)] = LinkProfile(
        downlinkBandwidthBytesPerMillisecond: bandwidth)
    }.run()
    let round = try #require(report.rounds.first)
    #expect(round.trainers.count == 4)
    #expect(round.virtualMilliseconds >= 4 * modelBytes / bandwidth)
    #expect(report.downlinkWaitMillisecondsMaximum > 0)
  }

  @Test func trainersOnSlowUplinksSendTheirUpdatesInParallel() throws {
    let bandwidth = slowBandwidth
    let report = try makeSimulator(seed: 5, rounds: 1) { settings in
      // The uplink-only model, and every trainer's update takes `modelBytes / 2` ms to send.
      settings.network.defaultProfile = LinkProfile(
        bandwidthBytesPerMillisecond: bandwidth, downlinkBandwidthBytesPerMillisecond: nil)
      settings.network.profiles[PeerID(simulatedIndex: 0)] = LinkProfile(
        downlinkBandwidthBytesPerMillisecond: nil)
    }.run()
    let round = try #require(report.rounds.first)
    #expect(round.trainers.count == 4)
    // Each update occupies its own trainer's uplink only: one transmission time, not four.
    #expect(round.virtualMilliseconds >= modelBytes / bandwidth)
    #expect(round.virtualMilliseconds < 2 * modelBytes / bandwidth)
    #expect(report.downlinkWaitMillisecondsMaximum == 0)
  }

  @Test func aCrashedServerLosesWhatItsUplinkStillHeld() throws {
    let report = try makeSimulator(seed: 5, rounds: 3) { settings in
      settings.network.profiles[PeerID(simulatedIndex: 0)] = LinkProfile(
        bandwidthBytesPerMillisecond: slowBandwidth)
      // Round 1 commits within a second; then the 4 model copies take about 3 s each: at 5 s
      // the first has left, the others are queued or being sent.
      settings.crashes = [(peer: 0, at: 5_000)]
      settings.timeLimitMilliseconds = 60_000
    }.run()
    #expect(report.crashes == 1)
    #expect(report.messagesLostWithCrashedSender >= 2)
    #expect(report.violations.isEmpty, "\(report.violations)")
  }

  @Test func theSameSeedReplaysARunWithQueuedHeterogeneousLinksExactly() throws {
    func run() throws -> SimulationReport {
      try makeSimulator(
        seed: 9, peers: 8, rounds: 4, loss: 0.05, mode: .fdfl, councilSize: 3
      ) { settings in
        // One model copy takes 300 ms on the slowest uplink, 40 ms on the fastest.
        for position in 0..<8 {
          settings.network.profiles[PeerID(simulatedIndex: UInt64(position))] = LinkProfile(
            latencyMinimumMilliseconds: 1, latencyMaximumMilliseconds: 80,
            bandwidthBytesPerMillisecond: modelBytes / 300 * UInt64(1 + position),
            downlinkBandwidthBytesPerMillisecond: position.isMultiple(of: 2)
              ? nil : modelBytes / 300 * UInt64(2 + position),
            lossProbability: 0.05, duplicationProbability: 0.05)
        }
        settings.crashFraction = 0.25
        settings.faultPhaseMilliseconds = 20_000
        settings.downtimeMilliseconds = 1_000...5_000
      }.run()
    }
    let first = try run()
    let second = try run()
    #expect(first.rounds.count == 4)
    #expect(first.violations.isEmpty, "\(first.violations)")
    #expect(first.rounds.map(\.virtualMilliseconds) == second.rounds.map(\.virtualMilliseconds))
    #expect(first.rounds.map(\.model) == second.rounds.map(\.model))
    #expect(first.messages == second.messages && first.bytes == second.bytes)
    #expect(first.uplinkWaitMillisecondsMaximum == second.uplinkWaitMillisecondsMaximum)
    #expect(first.downlinkWaitMillisecondsMaximum == second.downlinkWaitMillisecondsMaximum)
    #expect(first.messagesLostWithCrashedSender == second.messagesLostWithCrashedSender)
  }
}
