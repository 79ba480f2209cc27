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

  /// The sweep with signed contributions (a quarter of the seeds): crashes, restarts, loss and
  /// duplication never make an honest peer's signed update or partial fail its checks, and the
  /// invariants hold as without signatures.
  @Test func everySeedWithSignaturesKeepsTheInvariantsAndFinishesItsRounds() {
    var failures: [String] = []
    for seed in 1...(Self.seedCount / 4) {
      let result = FaultSweep.run(seed: seed, signsContributions: true)
      if !result.isPassing {
        failures.append(
          "seed \(seed): \(result.roundsCommitted)/\(result.roundsWanted) rounds, \(result.violations); replay: \(result.replayCommand)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
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

  /// Seeds that once failed in a 10,000-seed sweep, each for a bug since fixed. With SWIM,
  /// 2581: a trainer-turned-member's refused update held its round to the deadline. Without,
  /// the others: every remaining trainer had been set aside, so no round opened until their
  /// minute ran out.
  @Test(
    arguments: [
      (2581, true), (727, false), (2588, false), (4326, false), (4956, false), (5250, false),
      (5279, false), (7175, false), (7379, false), (7851, false), (8655, false), (9394, false),
    ] as [(UInt64, Bool)])
  func aSeedThatOnceFailedPasses(seed: UInt64, usesMembership: Bool) {
    let result = FaultSweep.run(seed: seed, usesMembership: usesMembership)
    #expect(
      result.isPassing,
      "\(result.roundsCommitted)/\(result.roundsWanted) rounds, \(result.violations); replay: \(result.replayCommand)"
    )
  }

  /// Signed seeds (the council checking its coordinator) that failed once: 50, two rounds
  /// committed in one step by a member that caught up (the checker compared both with the
  /// step's last model); 99, a member judged an append its log did not match and refused an
  /// honest round start; 124 (no round for a minute) and 154 passed once both were fixed (not
  /// traced one by one). With roles from the committed ranking: 9, a coordinator listed as
  /// absent a handover target that had left the council; 18, a member that caught up judged an
  /// earlier leader's entries against the leader relaying them; 281, an objection deposed the
  /// only leader that could still win, and no round committed again. With the replicated outer
  /// state (Nesterov's momentum): 37 and 275, a round no partial reached committed its base
  /// unchanged but named the empty state's digest, and a member that held the base's state
  /// (kept by model digest, not by round) refused it; 518 (no round for a minute) passed once
  /// both were fixed; 3293, such a round's note carried the committed state while the member's
  /// recomputation over no partial gave the empty one.
  @Test(arguments: [9, 18, 37, 50, 99, 124, 154, 275, 281, 518, 3293] as [UInt64])
  func aSignedSeedThatOnceFailedPasses(seed: UInt64) {
    let result = FaultSweep.run(seed: seed, signsContributions: true)
    #expect(
      result.isPassing,
      "\(result.roundsCommitted)/\(result.roundsWanted) rounds, \(result.refusedCoordinators) refusals, \(result.violations); replay: \(result.replayCommand)"
    )
  }

  @Test func aSeedReplaysBitForBit() {
    let first = FaultSweep.run(seed: 42)
    let second = FaultSweep.run(seed: 42)
    #expect(first.roundsCommitted == second.roundsCommitted)
    #expect(first.failoverMilliseconds == second.failoverMilliseconds)
  }
}
