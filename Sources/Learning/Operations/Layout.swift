import Tensors

extension Variable {
  public func reshaped(_ newShape: [Int]) -> Variable {
    let inputShape = shape
    return tape.record(value.reshaped(newShape), inputs: [self]) { gradient, tape in
      tape.accumulate(gradient.reshaped(inputShape), into: 0)
    }
  }

  /// Reorders axes; the gradient is permuted back by the inverse permutation.
  public func permuted(_ axes: [Int]) -> Variable {
    var inverse = [Int](repeating: 0, count: axes.count)
    for (position, axis) in axes.enumerated() { inverse[axis] = position }
    return tape.record(value.permuted(axes), inputs: [self]) { gradient, tape in
      tape.accumulate(gradient.permuted(inverse), into: 0)
    }
  }

  /// The transpose of a rank-2 variable.
  public func transposed() -> Variable { permuted([1, 0]) }

  /// Elements with index in `range` along `axis`.
  public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Variable {
    let inputShape = shape
    return tape.record(value.slice(alongAxis: axis, range), inputs: [self]) { gradient, tape in
      var full = Tensor(zeros: inputShape)
      full.addSlice(gradient, alongAxis: axis, at: range)
      tape.accumulate(full, into: 0)
    }
  }

  /// Joins variables along `axis`.
  public static func concatenate(_ parts: [Variable], alongAxis axis: Int) -> Variable {
    precondition(!parts.isEmpty, "concatenate needs at least one variable")
    let sizes = parts.map { $0.shape[axis < 0 ? axis + $0.shape.count : axis] }
    let output = Tensor.concatenate(parts.map(\.value), alongAxis: axis)
    return parts[0].tape.record(output, inputs: parts) { gradient, tape in
      var start = 0
      for (position, size) in sizes.enumerated() {
        if tape.needsGradient(position) {
          tape.accumulate(gradient.slice(alongAxis: axis, start..<(start + size)), into: position)
        }
        start += size
      }
    }
  }

  /// Rows of a `[rows, width]` table picked by `indices` (embedding lookup).
  public func gatherRows(_ indices: [Int32]) -> Variable {
    let tableShape = shape
    return tape.record(value.gatherRows(indices), inputs: [self]) { gradient, tape in
      var table = Tensor(zeros: tableShape)
      table.scatterAddRows(gradient, at: indices)
      tape.accumulate(table, into: 0)
    }
  }
}
