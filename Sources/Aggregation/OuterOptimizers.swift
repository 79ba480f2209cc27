/// An optimizer at the coordinator that turns the round's aggregate into the next model.
///
/// Sign convention: `aggregatedDelta` is the aggregate of the trainers' deltas (local model minus
/// round model), the direction the model should move. The pseudo-gradient of Reddi et al. and
/// DiLoCo is its negation, `g = model - aggregated new model = -aggregatedDelta`; the optimizers
/// below are written so that a plain step with learning rate 1 adds the delta (FedAvg).
public protocol OuterOptimizer: Sendable {
  /// Moves `model` by one outer step.
  /// - Complexity: O(d).
  mutating func step(model: inout [Float], aggregatedDelta: [Float]) throws(AggregationError)
  /// What the optimizer carries from one step to the next, as one vector (its buffers one after
  /// another; empty before the first step and for a stateless optimizer). A council that checks
  /// its coordinator replicates it: each member restores the committed state, recomputes the
  /// step, and compares the state it gets with the coordinator's.
  var state: [Float] { get }
  /// Puts back a `state` this kind of optimizer returned (for a model of the same length).
  /// - Throws: `AggregationError.mismatchedReferenceLength` for a vector no such optimizer
  ///   returns.
  mutating func restore(state: [Float]) throws(AggregationError)
}

extension OuterOptimizer {
  /// Checks lengths and finiteness, and allocates `state` on the first step.
  func prepare(model: [Float], delta: [Float], state: inout [[Float]], initialValue: Float = 0)
    throws(AggregationError)
  {
    try Update.validateReference(delta, dimension: model.count)
    for index in state.indices {
      if state[index].isEmpty {
        state[index] = [Float](repeating: initialValue, count: model.count)
      }
      guard state[index].count == model.count else {
        throw .mismatchedReferenceLength(expected: state[index].count, actual: model.count)
      }
    }
  }
}

/// FedAvg (McMahan et al. 2017): `model += learningRate * delta` (learning rate 1 applies the
/// mean of the local models).
public struct FedAvgOptimizer: OuterOptimizer, Hashable {
  public var learningRate: Float

  public init(learningRate: Float = 1) { self.learningRate = learningRate }

  public mutating func step(model: inout [Float], aggregatedDelta delta: [Float])
    throws(AggregationError)
  {
    var state: [[Float]] = []
    try prepare(model: model, delta: delta, state: &state)
    for index in model.indices { model[index] += learningRate * delta[index] }
  }

  public var state: [Float] { [] }

  public mutating func restore(state: [Float]) throws(AggregationError) {
    guard state.isEmpty else { throw .mismatchedReferenceLength(expected: 0, actual: state.count) }
  }
}

/// FedAvgM (Hsu et al. 2019): server momentum `v <- momentum v + delta`,
/// `model += learningRate v`.
public struct FedAvgMOptimizer: OuterOptimizer, Hashable {
  public var learningRate: Float
  public var momentum: Float
  /// The server momentum buffer (empty before the first step).
  public private(set) var velocity: [Float] = []

  public init(learningRate: Float = 1, momentum: Float = 0.9) {
    self.learningRate = learningRate
    self.momentum = momentum
  }

  public mutating func step(model: inout [Float], aggregatedDelta delta: [Float])
    throws(AggregationError)
  {
    var state = [velocity]
    try prepare(model: model, delta: delta, state: &state)
    velocity = state[0]
    for index in model.indices {
      velocity[index] = momentum * velocity[index] + delta[index]
      model[index] += learningRate * velocity[index]
    }
  }

  public var state: [Float] { velocity }

  public mutating func restore(state: [Float]) throws(AggregationError) { velocity = state }
}

/// FedAdam and FedYogi (Reddi et al. 2021, "Adaptive Federated Optimization"), without bias
/// correction as in the paper:
/// `m <- beta1 m + (1 - beta1) delta`; Adam `v <- beta2 v + (1 - beta2) delta^2`, Yogi
/// `v <- v - (1 - beta2) delta^2 sign(v - delta^2)`; `model += learningRate m / (sqrt(v) + tau)`.
/// `v` starts at tau^2.
public struct FedAdaptiveOptimizer: OuterOptimizer, Hashable {
  /// How the second moment is updated.
  public enum Variant: String, Sendable, Hashable {
    case adam
    case yogi
  }

  public var variant: Variant
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  /// The adaptivity tau (Reddi et al. tune it in 1e-5...1e-1; 1e-3 by default).
  public var tau: Float
  public private(set) var firstMoment: [Float] = []
  public private(set) var secondMoment: [Float] = []

  public init(
    variant: Variant, learningRate: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.99,
    tau: Float = 1e-3
  ) {
    self.variant = variant
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.tau = tau
  }

  public mutating func step(model: inout [Float], aggregatedDelta delta: [Float])
    throws(AggregationError)
  {
    var first = [firstMoment]
    var second = [secondMoment]
    try prepare(model: model, delta: delta, state: &first)
    try prepare(model: model, delta: delta, state: &second, initialValue: tau * tau)
    (firstMoment, secondMoment) = (first[0], second[0])
    for index in model.indices {
      let value = delta[index]
      let squared = value * value
      firstMoment[index] = beta1 * firstMoment[index] + (1 - beta1) * value
      switch variant {
      case .adam:
        secondMoment[index] = beta2 * secondMoment[index] + (1 - beta2) * squared
      case .yogi:
        let sign: Float =
          secondMoment[index] > squared ? 1 : (secondMoment[index] < squared ? -1 : 0)
        secondMoment[index] -= (1 - beta2) * squared * sign
      }
      model[index] += learningRate * firstMoment[index] / (secondMoment[index].squareRoot() + tau)
    }
  }

  /// The first moment, then the second.
  public var state: [Float] { firstMoment + secondMoment }

  public mutating func restore(state: [Float]) throws(AggregationError) {
    guard state.count.isMultiple(of: 2) else {
      throw .mismatchedReferenceLength(expected: state.count + 1, actual: state.count)
    }
    firstMoment = Array(state[..<(state.count / 2)])
    secondMoment = Array(state[(state.count / 2)...])
  }
}

/// DiLoCo's outer step (Douillard et al. 2023): Nesterov momentum over the pseudo-gradient
/// `g = -delta`: `m <- momentum m + g`, `model -= learningRate (g + momentum m)`.
public struct NesterovOuterOptimizer: OuterOptimizer, Hashable {
  public var learningRate: Float
  public var momentum: Float
  public private(set) var velocity: [Float] = []

  /// DiLoCo's defaults: learning rate 0.7, momentum 0.9.
  public init(learningRate: Float = 0.7, momentum: Float = 0.9) {
    self.learningRate = learningRate
    self.momentum = momentum
  }

  public mutating func step(model: inout [Float], aggregatedDelta delta: [Float])
    throws(AggregationError)
  {
    var state = [velocity]
    try prepare(model: model, delta: delta, state: &state)
    velocity = state[0]
    for index in model.indices {
      let gradient = -delta[index]
      velocity[index] = momentum * velocity[index] + gradient
      model[index] -= learningRate * (gradient + momentum * velocity[index])
    }
  }

  public var state: [Float] { velocity }

  public mutating func restore(state: [Float]) throws(AggregationError) { velocity = state }
}
