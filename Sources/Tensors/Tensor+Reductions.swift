/// Sums, means and extrema over axes.
extension Tensor {
  /// Normalises negative axes and checks them.
  func normalizedAxes(_ axes: [Int]) -> Set<Int> {
    Set(
      axes.map { axis in
        let resolved = axis < 0 ? axis + rank : axis
        precondition(resolved >= 0 && resolved < rank, "axis \(axis) out of rank \(rank)")
        return resolved
      })
  }

  /// Folds elements along `axes` into a tensor where those axes have size 1.
  @inlinable
  func reduce(
    axes: Set<Int>, keepingDimensions: Bool, initial: Float, _ combine: (Float, Float) -> Float
  ) -> Tensor {
    let keptShape = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
    let finalShape =
      keepingDimensions
      ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map { $0.element }
    let result = Tensor(shape: keptShape, repeating: initial)
    let outStrides = Tensor.broadcastStrides(of: keptShape, to: shape)
    let out = result.storage.pointer
    let x = storage.pointer
    if count > 0 {
      let inner = shape.last ?? 1
      let innerStride = outStrides.last ?? 0
      var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
      var offset = 0
      var position = 0
      while position < count {
        if innerStride == 0 {
          var accumulator = out[offset]
          for column in 0..<inner { accumulator = combine(accumulator, x[position + column]) }
          out[offset] = accumulator
        } else {
          for column in 0..<inner {
            out[offset + column] = combine(out[offset + column], x[position + column])
          }
        }
        position += inner
        var axis = rank - 2
        while axis >= 0 {
          index[axis] += 1
          offset += outStrides[axis]
          if index[axis] < shape[axis] { break }
          offset -= outStrides[axis] * shape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
    return result.reshaped(finalShape)
  }

  /// Sum along `axes`.
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let normalized = normalizedAxes(axes)
    if !normalized.isEmpty, normalized == Set(0..<normalized.count) {
      return sumOfLeadingAxes(normalized.count, keepingDimensions: keepingDimensions)
    }
    return reduce(axes: normalized, keepingDimensions: keepingDimensions, initial: 0, +)
  }

  /// Column sums: the fast path for reducing the leading axes (bias gradients).
  func sumOfLeadingAxes(_ leading: Int, keepingDimensions: Bool) -> Tensor {
    let rows = shape[..<leading].reduce(1, *)
    let width = count / Swift.max(rows, 1)
    let tail = Array(shape[leading...])
    let resultShape = keepingDimensions ? [Int](repeating: 1, count: leading) + tail : tail
    let x = storage.pointer
    return Tensor(shape: resultShape) { out in
      out.update(repeating: 0)
      for row in 0..<rows {
        let source = x + row * width
        for column in 0..<width { out[column] += source[column] }
      }
    }
  }

  /// Mean along `axes`.
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let reduced = normalizedAxes(axes).reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes, keepingDimensions: keepingDimensions) * (1 / Float(reduced))
  }

  /// Maximum along `axes`.
  public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    reduce(
      axes: normalizedAxes(axes), keepingDimensions: keepingDimensions, initial: -.infinity
    ) { Swift.max($0, $1) }
  }

  /// Sum of all elements, accumulated in Double.
  public func sum() -> Float {
    var total: Double = 0
    for index in 0..<count { total += Double(storage.pointer[index]) }
    return Float(total)
  }

  /// Mean of all elements.
  public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }

  /// Euclidean norm of all elements, accumulated in Double.
  public func norm() -> Float {
    var total: Double = 0
    for index in 0..<count {
      let value = Double(storage.pointer[index])
      total += value * value
    }
    return Float(total.squareRoot())
  }

  /// Sums a broadcast result back down to `target` (the adjoint of broadcasting).
  public func sum(reducingTo target: [Int]) -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    precondition(lead >= 0, "cannot reduce \(shape) to \(target)")
    var axes: [Int] = Array(0..<lead)
    for (axis, size) in target.enumerated() where size == 1 && shape[axis + lead] != 1 {
      axes.append(axis + lead)
    }
    return reduce(axes: Set(axes), keepingDimensions: true, initial: 0, +).reshaped(target)
  }

  /// Index of the largest element along the last axis, for each leading position.
  public func argmaxLastAxis() -> [Int] {
    let width = shape.last ?? 1
    precondition(width > 0, "argmax over an empty axis")
    let rows = count / width
    var result = [Int](repeating: 0, count: rows)
    let x = storage.pointer
    for row in 0..<rows {
      var best = 0
      var bestValue = x[row * width]
      for column in 1..<width where x[row * width + column] > bestValue {
        best = column
        bestValue = x[row * width + column]
      }
      result[row] = best
    }
    return result
  }
}

extension Tensor {
  /// Whether every element is finite (no NaN, no infinity).
  /// - Complexity: O(n).
  public var isFinite: Bool {
    withUnsafeBufferPointer { buffer in buffer.allSatisfy { $0.isFinite } }
  }
}
