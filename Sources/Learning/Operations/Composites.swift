import Tensors

// Operations built only from primitives: they need no backward rule of their own.

extension Variable {
  /// Softmax along the last axis, shifted by the (constant) row maximum for stability.
  public func softmax() -> Variable {
    let axis = shape.count - 1
    let shift = tape.constant(value.max(alongAxes: [axis], keepingDimensions: true))
    let exponentials = (self - shift).exp()
    return exponentials / exponentials.sum(alongAxes: [axis], keepingDimensions: true)
  }

  /// Normalises over the last axis: `(x - mean) / sqrt(variance + epsilon)`.
  public func normalizedOverLastAxis(epsilon: Float) -> Variable {
    let axis = shape.count - 1
    let centered = self - mean(alongAxes: [axis], keepingDimensions: true)
    let variance = centered.squared().mean(alongAxes: [axis], keepingDimensions: true)
    return centered / (variance + epsilon).squareRoot()
  }

  /// Zeroes each element with probability `rate` and scales the rest by `1 / (1 - rate)`
  /// (inverted dropout); the identity in inference mode.
  public func dropout(rate: Float) -> Variable {
    precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
    guard tape.mode == .training, rate > 0 else { return self }
    let keep = 1 / (1 - rate)
    var mask = Tensor(uninitializedShape: shape)
    mask.withUnsafeMutableBufferPointer { m in
      for index in 0..<m.count { m[index] = tape.generator.nextUnitFloat() < rate ? 0 : keep }
    }
    return self * tape.constant(mask)
  }
}
