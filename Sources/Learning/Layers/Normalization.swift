import Tensors

/// Layer normalisation over the last axis with a learned scale and shift.
public final class LayerNorm: Layer {
  public let scale: Parameter
  public let shift: Parameter
  public let epsilon: Float

  public init(features: Int, epsilon: Float = 1e-5) {
    scale = Parameter(Tensor(shape: [features], repeating: 1))
    shift = Parameter(Tensor(zeros: [features]))
    self.epsilon = epsilon
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", scale), ("bias", shift)]
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    let tape = input.tape
    return input.normalizedOverLastAxis(epsilon: epsilon) * tape.watch(scale) + tape.watch(shift)
  }
}

/// Batch normalisation over NHWC batches: batch statistics per channel while training (and an
/// exponential moving average of them), the moving averages in inference.
public final class BatchNorm2D: Layer {
  public let scale: Parameter
  public let shift: Parameter
  public let runningMean: Parameter
  public let runningVariance: Parameter
  public let momentum: Float
  public let epsilon: Float

  public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    scale = Parameter(Tensor(shape: [channels], repeating: 1))
    shift = Parameter(Tensor(zeros: [channels]))
    runningMean = Parameter(Tensor(zeros: [channels]))
    runningVariance = Parameter(Tensor(shape: [channels], repeating: 1))
    self.momentum = momentum
    self.epsilon = epsilon
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", scale), ("bias", shift)]
  }
  public var namedBuffers: [(name: String, parameter: Parameter)] {
    [("running_mean", runningMean), ("running_var", runningVariance)]
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    precondition(input.shape.count == 4, "BatchNorm2D expects NHWC input, got \(input.shape)")
    let tape = input.tape
    let normalized: Variable
    if tape.mode == .training {
      let mean = input.mean(alongAxes: [0, 1, 2], keepingDimensions: true)
      let centered = input - mean
      let variance = centered.squared().mean(alongAxes: [0, 1, 2], keepingDimensions: true)
      normalized = centered / (variance + epsilon).squareRoot()
      updateRunningStatistics(
        mean: mean.value, variance: variance.value, count: input.value.count / input.shape[3])
    } else {
      let mean = tape.constant(runningMean.value)
      let deviation = tape.constant((runningVariance.value + epsilon).squareRoot())
      normalized = (input - mean) / deviation
    }
    return normalized * tape.watch(scale) + tape.watch(shift)
  }

  private func updateRunningStatistics(mean: Tensor, variance: Tensor, count: Int) {
    let unbiased = variance.reshaped([-1]) * (Float(count) / Float(Swift.max(count - 1, 1)))
    runningMean.value = runningMean.value * (1 - momentum) + mean.reshaped([-1]) * momentum
    runningVariance.value = runningVariance.value * (1 - momentum) + unbiased * momentum
  }
}
