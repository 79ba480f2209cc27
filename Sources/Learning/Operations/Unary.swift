import Tensors

// Elementwise primitives, each with the derivative written beside the forward map.

extension Variable {
  public func exp() -> Variable {
    let output = value.exp()
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(gradient * output, into: 0)
    }
  }

  public func log() -> Variable {
    let input = value
    return tape.record(input.log(), inputs: [self]) { gradient, tape in
      tape.accumulate(gradient / input, into: 0)
    }
  }

  public func squareRoot() -> Variable {
    let output = value.squareRoot()
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(Tensor.zip(gradient, output) { $0 * 0.5 / $1 }, into: 0)
    }
  }

  public func tanh() -> Variable {
    let output = value.tanh()
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(Tensor.zip(gradient, output) { $0 * (1 - $1 * $1) }, into: 0)
    }
  }

  public func sigmoid() -> Variable {
    let output = value.map { 1 / (1 + expf32(-$0)) }
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(Tensor.zip(gradient, output) { $0 * $1 * (1 - $1) }, into: 0)
    }
  }

  /// max(x, 0); the gradient at exactly 0 is 0, as in PyTorch.
  public func relu() -> Variable {
    let output = value.relu()
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(Tensor.zip(gradient, output) { $1 > 0 ? $0 : 0 }, into: 0)
    }
  }

  /// Elementwise square (composite).
  public func squared() -> Variable { self * self }

  /// GELU, tanh approximation (composite of primitives).
  public func gelu() -> Variable {
    let cubic = self * self * self
    let inner = (self + cubic * 0.044715) * (2 / Float.pi).squareRoot()
    return self * (inner.tanh() + 1) * 0.5
  }
}
