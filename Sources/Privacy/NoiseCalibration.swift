/// Finds the noise a training run needs for a target ε: the inverse of the accountant.
public enum NoiseCalibration {
  /// Largest noise multiplier searched; far beyond any useful setting.
  public static let noiseMultiplierMax = 10_000.0
  /// Bisection stops when the bracket is narrower than this (relative to its upper end).
  public static let relativeTolerance = 1e-6

  /// The smallest noise multiplier σ for which `steps` steps at sampling rate `samplingRate`
  /// stay within `targetEpsilon` at `delta`, found by bisection (ε falls as σ grows).
  ///
  /// The result is the upper end of the final bracket, so it always meets the target.
  ///
  /// - Throws: `PrivacyError.unreachableEpsilon` when even σ = `noiseMultiplierMax` does not
  ///   reach the target (ε cannot fall below about log(1/δ)/255 with orders up to 256).
  /// - Complexity: about 30 accountant evaluations of O(256²) each.
  public static func noiseMultiplier(
    targetEpsilon: Double, samplingRate: Double, steps: Int, delta: Double,
    conversion: EpsilonConversion = .hypothesisTesting
  ) throws(PrivacyError) -> Double {
    precondition(targetEpsilon > 0, "target ε \(targetEpsilon) must be positive")
    precondition(steps >= 1, "calibration needs at least one step")
    func epsilon(_ noiseMultiplier: Double) -> Double {
      var accountant = RDPAccountant()
      accountant.compose(
        steps: steps, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
      return accountant.epsilon(delta: delta, conversion: conversion)
    }
    var upper = 1.0
    while epsilon(upper) > targetEpsilon {
      upper *= 2
      if upper > noiseMultiplierMax {
        throw .unreachableEpsilon(target: targetEpsilon, smallestReachable: epsilon(upper / 2))
      }
    }
    var lower = 0.0
    while upper - lower > relativeTolerance * upper {
      let middle = (lower + upper) / 2
      if epsilon(middle) > targetEpsilon { lower = middle } else { upper = middle }
    }
    return upper
  }
}
