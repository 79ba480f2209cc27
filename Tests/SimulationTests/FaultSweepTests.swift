import Foundation
import Simulation
import Testing

/// The CI seed sweep: every seed runs a fault phase (loss, duplication, churn, coordinator
/// crashes) then a liveness phase, with the invariant checker on every step. A failing seed
/// names the command that replays it. `STARLING_SWEEP_SEEDS=N` runs more (`make experiments`).
struct FaultSweepTests {
  static let seedCount =
    UInt64(ProcessInfo.processInfo.environment["STARLING_SWEEP_SEEDS"] ?? "") ?? 200

  @Test func everySeedKeepsTheInvariantsAndFinishesItsRounds() {
    var failures: [String] = []
    for seed in 1...Self.seedCount {
      let result = FaultSweep.run(seed: seed)
      if !result.isPassing {
        failures.append(
          "seed \(seed): \(result.roundsCommitted)/\(result.roundsWanted) rounds, violations \(result.violations); "
            + "replay: \(result.replayCommand)")
      }
    }
    #expect(
      failures.isEmpty,
      "\(failures.count) of \(Self.seedCount) seeds failed:\n\(failures.prefix(10).joined(separator: "\n"))"
    )
  }

  /// The same sweep with SWIM on every peer (it found a gossip-queue crash and a coordinator
  /// that, after rejoining, believed no trainer was alive).
  @Test func everySeedWithMembershipKeepsTheInvariantsAndFinishesItsRounds() {
    var failures: [String] = []
    for seed in 1...(Self.seedCount / 2) {
      let result = FaultSweep.run(seed: seed, usesMembership: true)
      if !result.isPassing {
        failures.append(
          "seed \(seed): \(result.roundsCommitted)/\(result.roundsWanted) rounds, \(result.violations); replay: \(result.replayCommand)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
  }

  @Test func aSeedReplaysBitForBit() {
    let first = FaultSweep.run(seed: 42)
    let second = FaultSweep.run(seed: 42)
    #expect(first.roundsCommitted == second.roundsCommitted)
    #expect(first.failoverMilliseconds == second.failoverMilliseconds)
  }
}
