import Tensors

extension Variable {
  /// Sum along `axes`; the gradient broadcasts back over the summed axes.
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
    let inputShape = shape
    let keptShape = value.sum(alongAxes: axes, keepingDimensions: true).shape
    return tape.record(
      value.sum(alongAxes: axes, keepingDimensions: keepingDimensions), inputs: [self]
    ) { gradient, tape in
      let ones = Tensor(shape: inputShape, repeating: 1)
      tape.accumulate(ones * gradient.reshaped(keptShape), into: 0)
    }
  }

  /// Sum of all elements, as a scalar.
  public func sum() -> Variable {
    let inputShape = shape
    return tape.record(Tensor(scalar: value.sum()), inputs: [self]) { gradient, tape in
      tape.accumulate(Tensor(shape: inputShape, repeating: gradient.scalar), into: 0)
    }
  }

  /// Mean along `axes` (composite).
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Variable {
    let normalized = axes.map { $0 < 0 ? $0 + shape.count : $0 }
    let reduced = normalized.reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes, keepingDimensions: keepingDimensions) * (1 / Float(reduced))
  }

  /// Mean of all elements (composite).
  public func mean() -> Variable { sum() * (1 / Float(Swift.max(value.count, 1))) }
}
