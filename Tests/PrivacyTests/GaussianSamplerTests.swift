import Foundation
import Tensors
import Testing

@testable import Privacy

/// 200,000 samples from a fixed seed: the checks below are at about 4 standard errors, and the
/// seed makes them deterministic.
private let sampleCount = 200_000
private func draws(seed: UInt64) -> [Double] {
  var generator = SeededGenerator(seed: seed)
  return GaussianSampler.samples(count: sampleCount, standardDeviation: 1, using: &generator)
}

@Test("Mean, variance, skewness and kurtosis match the standard normal")
func moments() {
  let values = draws(seed: 11)
  let n = Double(values.count)
  let mean = values.reduce(0, +) / n
  let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
  let skewness = values.reduce(0) { $0 + pow($1 - mean, 3) } / n
  let kurtosis = values.reduce(0) { $0 + pow($1 - mean, 4) } / n
  #expect(abs(mean) < 4 / n.squareRoot())
  #expect(abs(variance - 1) < 4 * (2 / n).squareRoot())
  #expect(abs(skewness) < 4 * (6 / n).squareRoot())
  #expect(abs(kurtosis - 3) < 4 * (24 / n).squareRoot())
}

@Test("The empirical distribution passes a Kolmogorov–Smirnov test against Φ")
func kolmogorovSmirnov() {
  let sorted = draws(seed: 12).sorted()
  let n = Double(sorted.count)
  var largestGap = 0.0
  for (index, value) in sorted.enumerated() {
    let cdf = 0.5 * (1 + erf(value / 2.0.squareRoot()))
    largestGap = max(largestGap, abs(cdf - Double(index) / n), abs(cdf - Double(index + 1) / n))
  }
  #expect(largestGap < 1.63 / n.squareRoot(), "D = \(largestGap)")  // 1% critical value
}

@Test("Tail frequencies beyond 1, 2 and 3 standard deviations match the normal's")
func tails() {
  let values = draws(seed: 13)
  let n = Double(values.count)
  for (threshold, probability) in [(1.0, 0.317311), (2.0, 0.045500), (3.0, 0.002700)] {
    let frequency = Double(values.filter { abs($0) > threshold }.count) / n
    let standardError = (probability * (1 - probability) / n).squareRoot()
    #expect(abs(frequency - probability) < 4 * standardError, "beyond \(threshold)")
  }
}

@Test("The two values of a pair are uncorrelated, and noise scales with the deviation")
func pairsAndScaling() {
  var generator = SeededGenerator(seed: 14)
  var product = 0.0
  for _ in 0..<50_000 {
    let (a, b) = GaussianSampler.standardNormalPair(using: &generator)
    product += a * b
  }
  #expect(abs(product / 50_000) < 4 / 50_000.0.squareRoot())
  var values = [Float](repeating: 1, count: 100_001)
  GaussianSampler.addNoise(to: &values, standardDeviation: 3, using: &generator)
  let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
  let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
  #expect(abs(mean - 1) < 0.05)
  #expect(abs((variance / Double(values.count)).squareRoot() - 3) < 0.05)
}

@Test("The same seed gives the same samples")
func deterministic() {
  #expect(draws(seed: 5).prefix(100) == draws(seed: 5).prefix(100))
}
