import Foundation
import Testing

@testable import Privacy

@Test("With every record sampled, the step is the Gaussian mechanism: α / (2σ²)")
func fullSamplingIsGaussianMechanism() {
  for order in [2, 5, 32, 256] {
    let epsilon = SampledGaussianRDP.epsilon(order: order, samplingRate: 1, noiseMultiplier: 1.5)
    #expect(abs(epsilon - Double(order) / (2 * 1.5 * 1.5)) < 1e-12)
  }
}

@Test("The log-space sum equals the direct sum where the direct sum does not overflow")
func logSpaceMatchesDirectSum() {
  for (order, q, sigma) in [(2, 0.01, 1.0), (8, 0.1, 2.0), (20, 0.3, 1.5), (40, 0.05, 3.0)] {
    var direct = 0.0
    for k in 0...order {
      var binomial = 1.0
      for step in 0..<k { binomial = binomial * Double(order - step) / Double(step + 1) }
      direct +=
        binomial * pow(q, Double(k)) * pow(1 - q, Double(order - k))
        * exp(Double(k * k - k) / (2 * sigma * sigma))
    }
    let expected = log(direct) / Double(order - 1)
    let epsilon = SampledGaussianRDP.epsilon(order: order, samplingRate: q, noiseMultiplier: sigma)
    #expect(abs(epsilon - expected) <= 1e-10 * max(1, expected), "order \(order)")
  }
}

@Test("Order 2 has the closed form log(1 + q² (e^{1/σ²} - 1))")
func orderTwoClosedForm() {
  let (q, sigma) = (0.02, 0.9)
  let expected = log(1 + q * q * (exp(1 / (sigma * sigma)) - 1))
  let epsilon = SampledGaussianRDP.epsilon(order: 2, samplingRate: q, noiseMultiplier: sigma)
  #expect(abs(epsilon - expected) < 1e-12)
}

@Test("RDP ε grows with the order and the sampling rate and falls with the noise")
func monotonicity() {
  let orders = Array(2...256)
  let curve = orders.map {
    SampledGaussianRDP.epsilon(order: $0, samplingRate: 0.01, noiseMultiplier: 1.1)
  }
  #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 <= $1 })
  #expect(curve.allSatisfy { $0.isFinite })
  let small = SampledGaussianRDP.epsilon(order: 16, samplingRate: 0.01, noiseMultiplier: 1)
  let larger = SampledGaussianRDP.epsilon(order: 16, samplingRate: 0.02, noiseMultiplier: 1)
  let noisier = SampledGaussianRDP.epsilon(order: 16, samplingRate: 0.01, noiseMultiplier: 2)
  #expect(small < larger && noisier < small)
}

@Test("Very large terms (order 256, σ = 0.3) stay finite in log space")
func largeTermsStayFinite() {
  let epsilon = SampledGaussianRDP.epsilon(order: 256, samplingRate: 0.001, noiseMultiplier: 0.3)
  #expect(epsilon.isFinite && epsilon > 0)
}
