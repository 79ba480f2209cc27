import Tensors
import Testing

@testable import Privacy

@Test("Without noise the mechanism returns the sum of the clipped updates")
func noiselessSumIsClippedSum() {
  let mechanism = GaussianMechanism(clipNorm: 1, noiseMultiplier: 0)
  var generator = SeededGenerator(seed: 1)
  let (sum, clipped) = mechanism.privatizedSum(
    of: [[3, 4], [0.3, 0.4], [0, -2]], dimension: 2, using: &generator)
  #expect(clipped == 2)
  #expect(abs(sum[0] - (0.6 + 0.3 + 0)) < 1e-6)
  #expect(abs(sum[1] - (0.8 + 0.4 - 1)) < 1e-6)
}

@Test("The noise on each coordinate has standard deviation σ C")
func noiseHasTheRightScale() {
  let mechanism = GaussianMechanism(clipNorm: 0.5, noiseMultiplier: 2)
  #expect(mechanism.noiseStandardDeviation == 1)
  var generator = SeededGenerator(seed: 2)
  let dimension = 50_000
  let (sum, _) = mechanism.privatizedSum(
    of: [[Float](repeating: 0, count: dimension)], dimension: dimension, using: &generator)
  let mean = sum.reduce(0.0) { $0 + Double($1) } / Double(dimension)
  let variance = sum.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
  #expect(abs(mean) < 0.02)
  #expect(abs(variance / Double(dimension) - 1) < 0.03)
}

@Test("Local DP clips the single update then adds noise, and is accounted with σ / 2")
func localPrivacy() {
  let mechanism = GaussianMechanism(clipNorm: 1, noiseMultiplier: 1e-6)
  var generator = SeededGenerator(seed: 3)
  let result = mechanism.privatizedLocally([30, 40], using: &generator)
  #expect(abs(result[0] - 0.6) < 1e-4 && abs(result[1] - 0.8) < 1e-4)
  #expect(GaussianMechanism(clipNorm: 1, noiseMultiplier: 3).localAccountingNoiseMultiplier == 1.5)
}

@Test("The same seed gives the same noisy sum")
func deterministicNoise() {
  let mechanism = GaussianMechanism(clipNorm: 1, noiseMultiplier: 1)
  var first = SeededGenerator(seed: 9)
  var second = SeededGenerator(seed: 9)
  #expect(
    mechanism.privatizedSum(of: [[1, 2, 3]], dimension: 3, using: &first).sum
      == mechanism.privatizedSum(of: [[1, 2, 3]], dimension: 3, using: &second).sum)
}
