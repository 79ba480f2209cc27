import Tensors

/// Updates parameters from their accumulated gradients.
///
/// Optimizers keep per-parameter state (momentum, moment estimates) keyed by the parameter's
/// identity, and follow PyTorch's update rules exactly so recipes carry over.
public protocol Optimizer: AnyObject {
  /// One update of every parameter that has a gradient, at `learningRate`.
  func step(_ parameters: [Parameter], learningRate: Float)
}

/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay.
///
/// `g += weightDecay * w; v = momentum * v + g` (v starts at g);
/// `w -= lr * (nesterov ? g + momentum * v : v)`.
public final class SGD: Optimizer {
  public let momentum: Float
  public let isNesterov: Bool
  public let weightDecay: Float
  private var velocities: [ObjectIdentifier: Tensor] = [:]

  public init(momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    precondition(momentum >= 0 && momentum < 1 && weightDecay >= 0, "SGD settings")
    precondition(!nesterov || momentum > 0, "Nesterov momentum needs momentum > 0")
    self.momentum = momentum
    self.isNesterov = nesterov
    self.weightDecay = weightDecay
  }

  public func step(_ parameters: [Parameter], learningRate: Float) {
    for parameter in parameters {
      guard let gradient = parameter.gradient else { continue }
      let key = ObjectIdentifier(parameter)
      var velocity = velocities.removeValue(forKey: key)
      let isFirst = velocity == nil
      if momentum > 0 && isFirst { velocity = Tensor(uninitializedShape: gradient.shape) }
      let (momentum, decay, nesterov) = (self.momentum, weightDecay, isNesterov)
      parameter.value.withUnsafeMutableBufferPointer { w in
        gradient.withUnsafeBufferPointer { g in
          if momentum == 0 {
            for index in 0..<w.count { w[index] -= learningRate * (g[index] + decay * w[index]) }
            return
          }
          velocity!.withUnsafeMutableBufferPointer { v in
            for index in 0..<w.count {
              let decayed = g[index] + decay * w[index]
              let updated = isFirst ? decayed : momentum * v[index] + decayed
              v[index] = updated
              w[index] -= learningRate * (nesterov ? decayed + momentum * updated : updated)
            }
          }
        }
      }
      if let velocity { velocities[key] = velocity }
    }
  }
}

/// Adam, and AdamW when `decoupledWeightDecay` is set (the decay multiplies the weight directly
/// instead of entering the gradient).
public final class Adam: Optimizer {
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  public let isDecoupled: Bool
  private var moments: [ObjectIdentifier: (first: Tensor, second: Tensor, steps: Int)] = [:]

  public init(
    beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
    decoupledWeightDecay: Bool = false
  ) {
    precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0, "Adam settings")
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.isDecoupled = decoupledWeightDecay
  }

  /// AdamW with PyTorch's default decay of 0.01.
  public static func adamW(
    beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01
  ) -> Adam {
    Adam(
      beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
      decoupledWeightDecay: true)
  }

  public func step(_ parameters: [Parameter], learningRate: Float) {
    for parameter in parameters {
      guard let gradient = parameter.gradient else { continue }
      let key = ObjectIdentifier(parameter)
      var state =
        moments.removeValue(forKey: key)
        ?? (Tensor(zeros: gradient.shape), Tensor(zeros: gradient.shape), 0)
      state.steps += 1
      let (beta1, beta2, epsilon, decay, decoupled) = (
        self.beta1, self.beta2, self.epsilon, weightDecay, isDecoupled
      )
      let correction1 = 1 - Float(Double(beta1).power(state.steps))
      let correction2 = 1 - Float(Double(beta2).power(state.steps))
      let stepSize = learningRate / correction1
      let inverseRootCorrection2 = 1 / correction2.squareRoot()
      parameter.value.withUnsafeMutableBufferPointer { w in
        gradient.withUnsafeBufferPointer { g in
          state.first.withUnsafeMutableBufferPointer { m in
            state.second.withUnsafeMutableBufferPointer { v in
              for index in 0..<w.count {
                var gradientValue = g[index]
                if decoupled {
                  w[index] *= 1 - learningRate * decay
                } else {
                  gradientValue += decay * w[index]
                }
                m[index] = beta1 * m[index] + (1 - beta1) * gradientValue
                v[index] = beta2 * v[index] + (1 - beta2) * gradientValue * gradientValue
                let denominator = v[index].squareRoot() * inverseRootCorrection2 + epsilon
                w[index] -= stepSize * m[index] / denominator
              }
            }
          }
        }
      }
      moments[key] = state
    }
  }
}

extension Double {
  fileprivate func power(_ exponent: Int) -> Double {
    var result = 1.0
    for _ in 0..<exponent { result *= self }
    return result
  }
}
