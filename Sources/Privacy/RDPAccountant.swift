/// Privacy spent by a sequence of Poisson-subsampled Gaussian steps, tracked as a Rényi-DP curve
/// over the integer orders `orders` (2 to 256).
///
/// RDP composes by addition at each order, so steps with different sampling rates and noise
/// multipliers (a schedule, a change of batch size, rounds of federated training with different
/// numbers of clients) simply add their curves. `guarantee(delta:conversion:)` turns the curve
/// into (ε, δ), minimising over the orders.
///
/// A value type: copying an accountant forks the history, which is how `epsilon(afterAdding:)`
/// answers "what if" without touching the real account.
public struct RDPAccountant: Sendable, Equatable {
  /// The Rényi orders tracked: the integers 2 to 256.
  public static let orders: ClosedRange<Int> = 2...256

  /// Accumulated RDP ε at each order of `orders`, in order.
  public private(set) var renyiEpsilons: [Double]
  /// Steps composed so far.
  public private(set) var stepCount: Int = 0
  /// The per-step curve of the last (sampling rate, noise multiplier) composed: training
  /// repeats the same step thousands of times, and each curve costs about 33,000 terms.
  private var lastStep: StepCurve?

  /// An accountant that has spent nothing.
  public init() {
    renyiEpsilons = [Double](repeating: 0, count: Self.orders.count)
  }

  /// Adds `steps` steps of the Poisson-subsampled Gaussian mechanism.
  ///
  /// - Parameters:
  ///   - samplingRate: the probability q that a record enters one step (batch / dataset size for
  ///     DP-SGD, sampled clients / population for client-level DP).
  ///   - noiseMultiplier: σ, the noise standard deviation divided by the clipping norm.
  /// - Precondition: `steps >= 0`, `samplingRate` in [0, 1], `noiseMultiplier >= 0`.
  /// - Complexity: O(256²) the first time a (q, σ) pair is seen in a row, O(256) after.
  public mutating func compose(steps: Int, samplingRate: Double, noiseMultiplier: Double) {
    precondition(steps >= 0, "negative step count \(steps)")
    guard steps > 0 else { return }
    let curve = stepCurve(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    let multiplier = Double(steps)
    for index in renyiEpsilons.indices {
      renyiEpsilons[index] += multiplier * curve.renyiEpsilons[index]
    }
    stepCount += steps
  }

  /// Adds `rounds` rounds of client-level DP: each round samples `sampledClients` of
  /// `population` clients, clips each update to C and adds N(0, (σ C)²) to their sum.
  ///
  /// The sampling rate is `sampledClients / population`. The bound assumes Poisson sampling
  /// of clients; sampling a fixed number of them is the usual approximation (see
  /// `docs/privacy.md`).
  public mutating func composeRounds(
    _ rounds: Int = 1, sampledClients: Int, population: Int, noiseMultiplier: Double
  ) {
    precondition(
      population > 0 && sampledClients >= 0 && sampledClients <= population,
      "\(sampledClients) sampled clients of \(population)")
    compose(
      steps: rounds, samplingRate: Double(sampledClients) / Double(population),
      noiseMultiplier: noiseMultiplier)
  }

  /// Adds the steps composed by another accountant.
  public mutating func compose(_ other: RDPAccountant) {
    for index in renyiEpsilons.indices { renyiEpsilons[index] += other.renyiEpsilons[index] }
    stepCount += other.stepCount
  }

  /// The best (ε, δ) guarantee over the tracked orders; ε = 0 while nothing has been spent (no
  /// step, or only steps that sampled nobody).
  ///
  /// - Complexity: O(256).
  public func guarantee(delta: Double, conversion: EpsilonConversion = .hypothesisTesting)
    -> PrivacyGuarantee
  {
    if renyiEpsilons.allSatisfy({ $0 == 0 }) {
      return PrivacyGuarantee(epsilon: 0, delta: delta, order: Self.orders.lowerBound)
    }
    var best = PrivacyGuarantee(epsilon: .infinity, delta: delta, order: Self.orders.lowerBound)
    for (index, order) in Self.orders.enumerated() {
      let epsilon = conversion.epsilon(
        renyiEpsilon: renyiEpsilons[index], order: Double(order), delta: delta)
      if epsilon < best.epsilon {
        best = PrivacyGuarantee(epsilon: epsilon, delta: delta, order: order)
      }
    }
    return best
  }

  /// The ε spent so far at `delta`.
  public func epsilon(delta: Double, conversion: EpsilonConversion = .hypothesisTesting)
    -> Double
  {
    guarantee(delta: delta, conversion: conversion).epsilon
  }

  /// The ε this account would show after `steps` more steps at (q, σ); the account is unchanged.
  public func epsilon(
    afterAdding steps: Int, samplingRate: Double, noiseMultiplier: Double, delta: Double,
    conversion: EpsilonConversion = .hypothesisTesting
  ) -> Double {
    var copy = self
    copy.compose(steps: steps, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    return copy.epsilon(delta: delta, conversion: conversion)
  }

  /// Whether `steps` more steps at (q, σ) would take ε above `epsilonBudget`.
  public func wouldExceed(
    epsilonBudget: Double, afterAdding steps: Int, samplingRate: Double,
    noiseMultiplier: Double, delta: Double, conversion: EpsilonConversion = .hypothesisTesting
  ) -> Bool {
    epsilon(
      afterAdding: steps, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier,
      delta: delta, conversion: conversion) > epsilonBudget
  }

  private mutating func stepCurve(samplingRate: Double, noiseMultiplier: Double) -> StepCurve {
    if let lastStep, lastStep.samplingRate == samplingRate,
      lastStep.noiseMultiplier == noiseMultiplier
    {
      return lastStep
    }
    let curve = StepCurve(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    lastStep = curve
    return curve
  }

  public static func == (lhs: RDPAccountant, rhs: RDPAccountant) -> Bool {
    lhs.renyiEpsilons == rhs.renyiEpsilons && lhs.stepCount == rhs.stepCount
  }
}

/// The RDP curve of one step at a given (q, σ).
private struct StepCurve: Sendable {
  let samplingRate: Double
  let noiseMultiplier: Double
  let renyiEpsilons: [Double]

  init(samplingRate: Double, noiseMultiplier: Double) {
    self.samplingRate = samplingRate
    self.noiseMultiplier = noiseMultiplier
    renyiEpsilons = RDPAccountant.orders.map {
      SampledGaussianRDP.epsilon(
        order: $0, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    }
  }
}
