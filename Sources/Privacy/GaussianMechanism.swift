/// The Gaussian mechanism on a sum of clipped updates: client-level differential privacy at the
/// aggregating side (McMahan et al. 2018, "Learning Differentially Private Recurrent Language
/// Models").
///
/// Each update is clipped to L2 norm `clipNorm` (C), the clipped updates are summed and every
/// coordinate of the sum receives N(0, (σ C)²). Adding or removing one client changes the sum by
/// at most C, so one round is the Gaussian mechanism with noise multiplier σ; with clients
/// sampled at rate q = sampled / population each round, account for it with
/// `RDPAccountant.composeRounds(sampledClients:population:noiseMultiplier:)`.
public struct GaussianMechanism: Sendable, Equatable {
  /// The clipping norm C.
  public let clipNorm: Double
  /// σ: the noise standard deviation divided by `clipNorm`.
  public let noiseMultiplier: Double

  /// - Precondition: `clipNorm > 0`, `noiseMultiplier >= 0`.
  public init(clipNorm: Double, noiseMultiplier: Double) {
    precondition(clipNorm > 0, "clipping norm \(clipNorm) must be positive")
    precondition(noiseMultiplier >= 0, "noise multiplier \(noiseMultiplier) must be non-negative")
    self.clipNorm = clipNorm
    self.noiseMultiplier = noiseMultiplier
  }

  /// σ C, the standard deviation of the noise on each coordinate.
  public var noiseStandardDeviation: Double { noiseMultiplier * clipNorm }

  /// The noisy sum of the clipped `updates`, and how many of them were clipped.
  ///
  /// - Precondition: every update has `dimension` elements.
  /// - Complexity: O(`updates.count` × `dimension`).
  public func privatizedSum(
    of updates: [[Float]], dimension: Int, using generator: inout some RandomNumberGenerator
  ) -> (sum: [Float], clippedCount: Int) {
    var sum = [Double](repeating: 0, count: dimension)
    var clippedCount = 0
    for update in updates {
      precondition(update.count == dimension, "update of \(update.count) for \(dimension)")
      let scale = Clipping.clippingScale(norm: Clipping.norm(update), maximumNorm: clipNorm)
      if scale < 1 { clippedCount += 1 }
      for index in 0..<dimension { sum[index] += Double(update[index]) * scale }
    }
    var result = sum.map { Float($0) }
    GaussianSampler.addNoise(
      to: &result, standardDeviation: noiseStandardDeviation, using: &generator)
    return (result, clippedCount)
  }

  /// Local differential privacy at the trainer: `update` clipped to C plus N(0, (σ C)²) on each
  /// coordinate, before it leaves the machine.
  ///
  /// Against an observer of this one update, replacing the client's whole data set can move the
  /// clipped update by up to 2C, so a round is the Gaussian mechanism with noise multiplier
  /// σ / 2 (`localAccountingNoiseMultiplier`) and sampling rate 1 (the observer knows the client
  /// took part).
  ///
  /// - Complexity: O(`update.count`).
  public func privatizedLocally(
    _ update: [Float], using generator: inout some RandomNumberGenerator
  ) -> [Float] {
    var result = Clipping.clipped(update, toNorm: clipNorm).vector
    GaussianSampler.addNoise(
      to: &result, standardDeviation: noiseStandardDeviation, using: &generator)
    return result
  }

  /// The noise multiplier to give the accountant for `privatizedLocally`: σ / 2 (sensitivity 2C).
  public var localAccountingNoiseMultiplier: Double { noiseMultiplier / 2 }
}
