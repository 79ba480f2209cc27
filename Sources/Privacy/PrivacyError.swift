/// Why a privacy computation or a privacy budget refused to go on.
public enum PrivacyError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The budget is spent: the next step would take ε from `spentEpsilon` to `projectedEpsilon`,
  /// above `epsilonBudget`. Training must stop.
  case budgetExhausted(spentEpsilon: Double, projectedEpsilon: Double, epsilonBudget: Double)
  /// No noise multiplier up to `NoiseCalibration.noiseMultiplierMax` reaches the target ε.
  case unreachableEpsilon(target: Double, smallestReachable: Double)

  public var description: String {
    switch self {
    case .budgetExhausted(let spent, let projected, let budget):
      "privacy budget exhausted: ε spent \(formatted(spent)), the next step would reach "
        + "\(formatted(projected)), above the budget \(formatted(budget))"
    case .unreachableEpsilon(let target, let smallest):
      "no noise multiplier reaches ε = \(formatted(target)); the smallest reachable is "
        + "\(formatted(smallest))"
    }
  }
}

/// A figure with four decimals, for messages.
func formatted(_ value: Double) -> String {
  guard value.isFinite else { return value > 0 ? "infinity" : String(value) }
  // Four decimals, unless that would print a tiny (or huge) value as 0.0 (or overflow): then
  // the shortest exact form, such as 1e-300.
  guard value == 0 || (abs(value) >= 0.000_05 && abs(value) < 1e15) else { return String(value) }
  let scaled = (value * 10_000).rounded() / 10_000
  return String(scaled)
}
