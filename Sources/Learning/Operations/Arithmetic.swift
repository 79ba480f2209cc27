import Tensors

// Broadcasting arithmetic primitives. Each backward rule sums the incoming gradient back down to
// the shape of the input it belongs to (the adjoint of broadcasting).

extension Variable {
  public static func + (a: Variable, b: Variable) -> Variable {
    let (shapeA, shapeB) = (a.shape, b.shape)
    return a.tape.record(a.value + b.value, inputs: [a, b]) { gradient, tape in
      tape.accumulate(gradient.sum(reducingTo: shapeA), into: 0)
      tape.accumulate(gradient.sum(reducingTo: shapeB), into: 1)
    }
  }

  public static func - (a: Variable, b: Variable) -> Variable {
    let (shapeA, shapeB) = (a.shape, b.shape)
    return a.tape.record(a.value - b.value, inputs: [a, b]) { gradient, tape in
      tape.accumulate(gradient.sum(reducingTo: shapeA), into: 0)
      if tape.needsGradient(1) { tape.accumulate((-gradient).sum(reducingTo: shapeB), into: 1) }
    }
  }

  public static func * (a: Variable, b: Variable) -> Variable {
    let (valueA, valueB) = (a.value, b.value)
    return a.tape.record(valueA * valueB, inputs: [a, b]) { gradient, tape in
      if tape.needsGradient(0) {
        tape.accumulate((gradient * valueB).sum(reducingTo: valueA.shape), into: 0)
      }
      if tape.needsGradient(1) {
        tape.accumulate((gradient * valueA).sum(reducingTo: valueB.shape), into: 1)
      }
    }
  }

  public static func / (a: Variable, b: Variable) -> Variable {
    let (valueA, valueB) = (a.value, b.value)
    let quotient = valueA / valueB
    return a.tape.record(quotient, inputs: [a, b]) { gradient, tape in
      if tape.needsGradient(0) {
        tape.accumulate((gradient / valueB).sum(reducingTo: valueA.shape), into: 0)
      }
      if tape.needsGradient(1) {
        // d(a/b)/db = -(a/b)/b
        tape.accumulate((-(gradient * quotient) / valueB).sum(reducingTo: valueB.shape), into: 1)
      }
    }
  }

  /// `scale * self + offset`, one primitive for all scalar affine maps.
  public func affine(scale: Float, offset: Float = 0) -> Variable {
    tape.record(value.map { scale * $0 + offset }, inputs: [self]) { gradient, tape in
      tape.accumulate(gradient * scale, into: 0)
    }
  }

  public static func * (a: Variable, scale: Float) -> Variable { a.affine(scale: scale) }
  public static func * (scale: Float, a: Variable) -> Variable { a.affine(scale: scale) }
  public static func / (a: Variable, divisor: Float) -> Variable { a.affine(scale: 1 / divisor) }
  public static func + (a: Variable, offset: Float) -> Variable {
    a.affine(scale: 1, offset: offset)
  }
  public static func - (a: Variable, offset: Float) -> Variable {
    a.affine(scale: 1, offset: -offset)
  }
  public static prefix func - (a: Variable) -> Variable { a.affine(scale: -1) }

  /// The same value with no gradient flowing back (a constant on the tape).
  public func detached() -> Variable { tape.constant(value) }
}
