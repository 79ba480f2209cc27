#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Rényi differential privacy of one step of the Poisson-subsampled Gaussian mechanism.
///
/// Each record enters the step independently with probability `samplingRate` (q); the sum of
/// the sampled records, each of L2 norm at most C, receives Gaussian noise of standard deviation
/// `noiseMultiplier * C` (σ C) per coordinate. For an integer order α ≥ 2 the step is
/// (α, log(A_α) / (α - 1))-RDP with (Mironov, Talwar and Zhang 2019, section 3.3)
///
///     A_α = Σ_{k=0}^{α} C(α, k) q^k (1 - q)^(α-k) exp((k² - k) / (2σ²)).
///
/// The sum is taken in log space (log-sum-exp), in `Double`: its terms span hundreds of orders
/// of magnitude for large α and small σ.
public enum SampledGaussianRDP {
  /// The RDP ε of one step at integer order `order`.
  ///
  /// - Returns: 0 when nothing is sampled (`samplingRate == 0`), `+infinity` without noise
  ///   (`noiseMultiplier == 0`), and α / (2σ²), the plain Gaussian mechanism, when every record
  ///   is sampled (`samplingRate == 1`).
  /// - Precondition: `order >= 2`, `samplingRate` in [0, 1], `noiseMultiplier >= 0`.
  /// - Complexity: O(`order`).
  public static func epsilon(order: Int, samplingRate: Double, noiseMultiplier: Double)
    -> Double
  {
    precondition(order >= 2, "RDP order \(order) below 2")
    precondition(
      samplingRate >= 0 && samplingRate <= 1, "sampling rate \(samplingRate) outside [0, 1]")
    precondition(noiseMultiplier >= 0, "negative noise multiplier \(noiseMultiplier)")
    if samplingRate == 0 { return 0 }
    if noiseMultiplier == 0 { return .infinity }
    let alpha = Double(order)
    let inverseTwiceVariance = 1 / (2 * noiseMultiplier * noiseMultiplier)
    if samplingRate == 1 { return alpha * inverseTwiceVariance }
    return logA(
      order: order, samplingRate: samplingRate, inverseTwiceVariance: inverseTwiceVariance)
      / (alpha - 1)
  }

  /// log A_α, by log-sum-exp over its `order + 1` terms.
  static func logA(order: Int, samplingRate: Double, inverseTwiceVariance: Double) -> Double {
    let logRate = log(samplingRate)
    let logComplement = log1p(-samplingRate)
    var terms = [Double](repeating: 0, count: order + 1)
    var largest = -Double.infinity
    var logBinomial = 0.0  // log C(order, k), updated by C(n, k+1) = C(n, k) (n - k) / (k + 1)
    for k in 0...order {
      let kk = Double(k)
      if k > 0 { logBinomial += log(Double(order - k + 1)) - log(kk) }
      let term =
        logBinomial + kk * logRate + Double(order - k) * logComplement
        + (kk * kk - kk) * inverseTwiceVariance
      terms[k] = term
      largest = max(largest, term)
    }
    var sum = 0.0
    for term in terms { sum += exp(term - largest) }
    return largest + log(sum)
  }
}
