#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How a Rényi-DP curve becomes an (ε, δ) guarantee.
public enum EpsilonConversion: String, Sendable, CaseIterable {
  /// Mironov 2017, Proposition 3: ε = RDP(α) + log(1/δ) / (α - 1).
  case classic
  /// Balle, Barthe, Gaboardi, Hsu and Sato 2020, Theorem 21 (the conversion Opacus and TensorFlow
  /// Privacy use): ε = RDP(α) + log((α - 1)/α) - (log δ + log α) / (α - 1). Never larger than
  /// `classic` for α ≥ 2, and valid for the same mechanisms.
  case hypothesisTesting

  /// The ε that order `order` certifies for an RDP value `renyiEpsilon` at `delta`, at least 0.
  ///
  /// - Precondition: `order > 1`, `delta` in (0, 1).
  public func epsilon(renyiEpsilon: Double, order: Double, delta: Double) -> Double {
    precondition(order > 1, "RDP order \(order) must exceed 1")
    precondition(delta > 0 && delta < 1, "delta \(delta) outside (0, 1)")
    let value: Double
    switch self {
    case .classic:
      value = renyiEpsilon + log(1 / delta) / (order - 1)
    case .hypothesisTesting:
      value = renyiEpsilon + log1p(-1 / order) - (log(delta) + log(order)) / (order - 1)
    }
    return max(0, value)
  }
}

/// An (ε, δ) guarantee and the RDP order that gave it.
public struct PrivacyGuarantee: Sendable, Equatable, CustomStringConvertible {
  /// The privacy loss bound; `+infinity` when nothing bounds it (a step without noise).
  public let epsilon: Double
  /// The probability with which the bound may fail.
  public let delta: Double
  /// The Rényi order that minimised ε (useful to check that the order range was wide enough).
  public let order: Int

  public init(epsilon: Double, delta: Double, order: Int) {
    self.epsilon = epsilon
    self.delta = delta
    self.order = order
  }

  public var description: String {
    "(ε = \(epsilon), δ = \(delta)) at RDP order \(order)"
  }
}
