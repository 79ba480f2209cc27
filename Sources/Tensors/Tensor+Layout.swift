/// Transposition, permutation, concatenation, slicing and row gathering.
extension Tensor {
  /// The transpose of a rank-2 tensor.
  public func transposed() -> Tensor {
    precondition(rank == 2, "transposed() needs rank 2, got \(shape)")
    return permuted([1, 0])
  }

  /// Reorders axes: result axis `i` is input axis `axes[i]`.
  /// - Complexity: O(n).
  public func permuted(_ axes: [Int]) -> Tensor {
    precondition(axes.sorted() == Array(0..<rank), "permutation \(axes) for rank \(rank)")
    let newShape = axes.map { shape[$0] }
    var inputStrides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) {
      inputStrides[axis] = inputStrides[axis + 1] * shape[axis + 1]
    }
    let strides = axes.map { inputStrides[$0] }
    let x = storage.pointer
    return Tensor(shape: newShape) { out in
      guard out.count > 0 else { return }
      var index = [Int](repeating: 0, count: rank)
      var offset = 0
      for position in 0..<out.count {
        out[position] = x[offset]
        var axis = rank - 1
        while axis >= 0 {
          index[axis] += 1
          offset += strides[axis]
          if index[axis] < newShape[axis] { break }
          offset -= strides[axis] * newShape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
  }

  /// Joins tensors along `axis`; all other sizes must agree.
  public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concatenate needs at least one tensor")
    let first = tensors[0].shape
    let axis = axis < 0 ? axis + first.count : axis
    for tensor in tensors {
      precondition(
        tensor.rank == first.count
          && Swift.zip(tensor.shape, first).enumerated().allSatisfy {
            $0.offset == axis || $0.element.0 == $0.element.1
          },
        "concatenate: \(tensor.shape) does not fit \(first) along axis \(axis)")
    }
    var shape = first
    shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
    let outer = first[..<axis].reduce(1, *)
    let inner = first[(axis + 1)...].reduce(1, *)
    return Tensor(shape: shape) { out in
      var position = 0
      for row in 0..<outer {
        for tensor in tensors {
          let width = tensor.shape[axis] * inner
          (out.baseAddress! + position).update(
            from: tensor.storage.pointer + row * width, count: width)
          position += width
        }
      }
    }
  }

  /// The elements with index in `range` along `axis`.
  public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
    let axis = axis < 0 ? axis + rank : axis
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) of \(shape)")
    var newShape = shape
    newShape[axis] = range.count
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    let x = storage.pointer
    return Tensor(shape: newShape) { out in
      for row in 0..<outer {
        (out.baseAddress! + row * range.count * inner).update(
          from: x + (row * shape[axis] + range.lowerBound) * inner, count: range.count * inner)
      }
    }
  }

  /// Adds `source` into the elements with index in `range` along `axis` (adjoint of `slice`).
  public mutating func addSlice(_ source: Tensor, alongAxis axis: Int, at range: Range<Int>) {
    let axis = axis < 0 ? axis + rank : axis
    makeUnique()
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    let x = storage.pointer
    let y = source.storage.pointer
    for row in 0..<outer {
      let target = x + (row * shape[axis] + range.lowerBound) * inner
      let from = y + row * range.count * inner
      for index in 0..<(range.count * inner) { target[index] += from[index] }
    }
  }

  /// Rows of a rank-2 table picked by `indices`: `[indices.count, width]`.
  public func gatherRows(_ indices: [Int32]) -> Tensor {
    precondition(rank == 2, "gatherRows needs a rank-2 table, got \(shape)")
    let width = shape[1]
    let x = storage.pointer
    return Tensor(shape: [indices.count, width]) { out in
      for (row, index) in indices.enumerated() {
        precondition(index >= 0 && Int(index) < shape[0], "row \(index) out of \(shape[0])")
        (out.baseAddress! + row * width).update(from: x + Int(index) * width, count: width)
      }
    }
  }

  /// Adds each row of `rows` into row `indices[i]` of this table (adjoint of `gatherRows`).
  public mutating func scatterAddRows(_ rows: Tensor, at indices: [Int32]) {
    let width = shape[1]
    makeUnique()
    let x = storage.pointer
    let y = rows.storage.pointer
    for (row, index) in indices.enumerated() {
      let target = x + Int(index) * width
      for column in 0..<width { target[column] += y[row * width + column] }
    }
  }
}
