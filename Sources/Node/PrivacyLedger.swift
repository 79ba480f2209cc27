import Privacy
import Wire

/// The client-level privacy a project has spent: one subsampled Gaussian step per committed
/// round, each at the sampling rate its commit records (`RoundCommit.samplingRate`), so the
/// figure stays right while peers join and leave. Every council member composes the same
/// commits from the replicated log, so every member reports the same epsilon.
struct PrivacyLedger: Sendable {
  var accountant = RDPAccountant()
  /// The last round composed: a commit applied twice (a restarted member re-applies its log
  /// past its applied index) is counted once.
  private(set) var accountedRound: UInt64 = 0

  /// Composes `commit`'s round once; returns whether it was new.
  mutating func account(_ commit: RoundCommit, noiseMultiplier: Double) -> Bool {
    guard commit.round > accountedRound else { return false }
    accountedRound = commit.round
    accountant.compose(
      steps: 1, samplingRate: commit.samplingRate, noiseMultiplier: noiseMultiplier)
    return true
  }

  /// Composes rounds up to `round` whose commits this node no longer has (a federated
  /// coordinator restarted from its store keeps only the last model), each at `samplingRate`.
  mutating func assumeRounds(upTo round: UInt64, samplingRate: Double, noiseMultiplier: Double) {
    guard round > accountedRound else { return }
    accountant.compose(
      steps: Int(round - accountedRound), samplingRate: samplingRate,
      noiseMultiplier: noiseMultiplier)
    accountedRound = round
  }

  /// Epsilon at `delta` if one more round ran at `samplingRate`.
  func epsilon(afterOneMoreAt samplingRate: Double, noiseMultiplier: Double, delta: Double)
    -> Double
  {
    var forecast = accountant
    forecast.compose(steps: 1, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    return forecast.epsilon(delta: delta)
  }
}
