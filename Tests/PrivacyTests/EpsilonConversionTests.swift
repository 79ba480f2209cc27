import Foundation
import Testing

@testable import Privacy

@Test("The classic conversion adds log(1/δ) / (α - 1)")
func classicConversion() {
  let epsilon = EpsilonConversion.classic.epsilon(renyiEpsilon: 0.5, order: 11, delta: 1e-5)
  #expect(abs(epsilon - (0.5 + log(1e5) / 10)) < 1e-12)
}

@Test("The hypothesis-testing conversion follows Balle et al. 2020, Theorem 21")
func hypothesisTestingConversion() {
  let (rdp, order, delta) = (0.5, 11.0, 1e-5)
  let expected = rdp + log((order - 1) / order) - (log(delta) + log(order)) / (order - 1)
  let epsilon = EpsilonConversion.hypothesisTesting.epsilon(
    renyiEpsilon: rdp, order: order, delta: delta)
  #expect(abs(epsilon - expected) < 1e-12)
  #expect(
    epsilon < EpsilonConversion.classic.epsilon(renyiEpsilon: rdp, order: order, delta: delta))
}

@Test("ε is never negative")
func epsilonIsNonNegative() {
  let epsilon = EpsilonConversion.hypothesisTesting.epsilon(
    renyiEpsilon: 0, order: 256, delta: 0.5)
  #expect(epsilon == 0)
}
