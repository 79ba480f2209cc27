import Foundation
import Testing

@testable import Privacy

@Test("Calibration inverts the accountant: 60 epochs at ε 2.92 (classic) need σ ≈ 1.12")
func inverseOfTestVector() throws {
  let steps = Int((60.0 * 60_000 / 256).rounded(.up))
  let sigma = try NoiseCalibration.noiseMultiplier(
    targetEpsilon: 2.92, samplingRate: 256.0 / 60_000, steps: steps, delta: 1e-5,
    conversion: .classic)
  #expect(abs(sigma - 1.12) < 0.01, "σ = \(sigma)")
}

@Test("The calibrated noise meets the target, and 1% less noise does not")
func calibratedNoiseIsTheSmallest() throws {
  let (q, steps, delta, target) = (0.01, 5000, 1e-5, 3.0)
  let sigma = try NoiseCalibration.noiseMultiplier(
    targetEpsilon: target, samplingRate: q, steps: steps, delta: delta)
  func epsilon(_ noise: Double) -> Double {
    var accountant = RDPAccountant()
    accountant.compose(steps: steps, samplingRate: q, noiseMultiplier: noise)
    return accountant.epsilon(delta: delta)
  }
  #expect(epsilon(sigma) <= target)
  #expect(epsilon(sigma * 0.99) > target)
}

@Test("An ε below what orders up to 256 can certify is reported as unreachable")
func unreachableTarget() {
  #expect(throws: PrivacyError.self) {
    try NoiseCalibration.noiseMultiplier(
      targetEpsilon: 0.001, samplingRate: 0.01, steps: 100, delta: 1e-5)
  }
}
