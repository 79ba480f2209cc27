/// An (ε, δ) budget and the account charged against it.
///
/// `spend` charges steps only when they keep ε within the budget; otherwise it throws
/// `PrivacyError.budgetExhausted` and leaves the account as it was, so the caller stops *before*
/// the step that would overspend: the reported ε of a finished run is never above the budget.
public struct PrivacyBudget: Sendable, Equatable {
  /// The largest ε the project accepts.
  public let epsilonBudget: Double
  /// The δ at which ε is measured.
  public let delta: Double
  /// How the RDP curve becomes ε.
  public let conversion: EpsilonConversion
  /// The steps charged so far.
  public private(set) var accountant = RDPAccountant()

  /// A budget of `epsilonBudget` at `delta`, nothing spent.
  ///
  /// - Precondition: `epsilonBudget > 0`, `delta` in (0, 1) (configuration loading checks both).
  public init(
    epsilonBudget: Double, delta: Double, conversion: EpsilonConversion = .hypothesisTesting
  ) {
    precondition(epsilonBudget > 0, "ε budget \(epsilonBudget) must be positive")
    precondition(delta > 0 && delta < 1, "delta \(delta) outside (0, 1)")
    self.epsilonBudget = epsilonBudget
    self.delta = delta
    self.conversion = conversion
  }

  /// The ε spent so far.
  public var spentEpsilon: Double { accountant.epsilon(delta: delta, conversion: conversion) }

  /// The ε left before the budget is reached (0 when spent).
  public var remainingEpsilon: Double { max(0, epsilonBudget - spentEpsilon) }

  /// Charges `steps` steps at sampling rate `samplingRate` and noise multiplier
  /// `noiseMultiplier`, or throws without charging anything when they would exceed the budget.
  ///
  /// - Throws: `PrivacyError.budgetExhausted` with the spent and the projected ε.
  public mutating func spend(
    steps: Int = 1, samplingRate: Double, noiseMultiplier: Double
  ) throws(PrivacyError) {
    var projected = accountant
    projected.compose(steps: steps, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    let projectedEpsilon = projected.epsilon(delta: delta, conversion: conversion)
    guard projectedEpsilon <= epsilonBudget else {
      throw .budgetExhausted(
        spentEpsilon: spentEpsilon, projectedEpsilon: projectedEpsilon,
        epsilonBudget: epsilonBudget)
    }
    accountant = projected
  }

  /// Whether `steps` more steps at (q, σ) fit in the budget; nothing is charged.
  public func canSpend(steps: Int = 1, samplingRate: Double, noiseMultiplier: Double) -> Bool {
    !accountant.wouldExceed(
      epsilonBudget: epsilonBudget, afterAdding: steps, samplingRate: samplingRate,
      noiseMultiplier: noiseMultiplier, delta: delta, conversion: conversion)
  }

  /// The number of further steps at (q, σ) that fit in the budget, searched up to `limit`.
  ///
  /// - Complexity: O(log `limit`) accountant evaluations.
  public func affordableSteps(samplingRate: Double, noiseMultiplier: Double, limit: Int) -> Int {
    var (low, high) = (0, limit)
    while low < high {
      let middle = (low + high + 1) / 2
      if canSpend(steps: middle, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier) {
        low = middle
      } else {
        high = middle - 1
      }
    }
    return low
  }
}
