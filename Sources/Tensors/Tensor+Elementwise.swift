/// Elementwise arithmetic with NumPy-style broadcasting.
extension Tensor {
  /// The shape two operands broadcast to (trailing dimensions aligned; size 1 stretches).
  public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = Swift.max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
      let x = axis - (rank - a.count) >= 0 ? a[axis - (rank - a.count)] : 1
      let y = axis - (rank - b.count) >= 0 ? b[axis - (rank - b.count)] : 1
      precondition(x == y || x == 1 || y == 1, "shapes \(a) and \(b) do not broadcast")
      result[axis] = x == 1 ? y : x
    }
    return result
  }

  /// Strides of `shape` seen as `target` (0 along broadcast axes).
  @usableFromInline static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
    var strides = [Int](repeating: 0, count: target.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      let targetAxis = axis + target.count - shape.count
      strides[targetAxis] = shape[axis] == 1 ? 0 : running
      running *= shape[axis]
    }
    return strides
  }

  /// Combines two tensors elementwise after broadcasting them to a common shape.
  /// - Complexity: O(n) in the broadcast shape's element count.
  @inlinable
  public static func zip(
    _ a: Tensor, _ b: Tensor, _ operation: (Float, Float) -> Float
  ) -> Tensor {
    if a.shape == b.shape {
      return Tensor(shape: a.shape) { out in
        let x = a.storage.pointer
        let y = b.storage.pointer
        for index in 0..<out.count { out[index] = operation(x[index], y[index]) }
      }
    }
    if b.count == 1 {
      let value = b.storage.pointer[0]
      return Tensor(shape: broadcastShape(a.shape, b.shape)) { out in
        let x = a.storage.pointer
        for index in 0..<out.count { out[index] = operation(x[index], value) }
      }
    }
    if a.count == 1 {
      let value = a.storage.pointer[0]
      return Tensor(shape: broadcastShape(a.shape, b.shape)) { out in
        let y = b.storage.pointer
        for index in 0..<out.count { out[index] = operation(value, y[index]) }
      }
    }
    return zipBroadcasting(a, b, operation)
  }

  @inlinable
  static func zipBroadcasting(
    _ a: Tensor, _ b: Tensor, _ operation: (Float, Float) -> Float
  ) -> Tensor {
    let shape = broadcastShape(a.shape, b.shape)
    let stridesA = broadcastStrides(of: a.shape, to: shape)
    let stridesB = broadcastStrides(of: b.shape, to: shape)
    return Tensor(shape: shape) { out in
      guard out.count > 0 else { return }
      let inner = shape.last ?? 1
      let innerA = stridesA.last ?? 0
      let innerB = stridesB.last ?? 0
      let x = a.storage.pointer
      let y = b.storage.pointer
      var index = [Int](repeating: 0, count: Swift.max(shape.count - 1, 0))
      var offsetA = 0
      var offsetB = 0
      var position = 0
      while position < out.count {
        for column in 0..<inner {
          out[position + column] = operation(
            x[offsetA + column * innerA], y[offsetB + column * innerB])
        }
        position += inner
        // Advance the odometer over the outer axes.
        var axis = shape.count - 2
        while axis >= 0 {
          index[axis] += 1
          offsetA += stridesA[axis]
          offsetB += stridesB[axis]
          if index[axis] < shape[axis] { break }
          offsetA -= stridesA[axis] * shape[axis]
          offsetB -= stridesB[axis] * shape[axis]
          index[axis] = 0
          axis -= 1
        }
      }
    }
  }

  /// Applies `transform` to every element.
  @inlinable
  public func map(_ transform: (Float) -> Float) -> Tensor {
    Tensor(shape: shape) { out in
      let x = storage.pointer
      for index in 0..<out.count { out[index] = transform(x[index]) }
    }
  }

  /// Applies `transform` to every element in place.
  @inlinable
  public mutating func mapInPlace(_ transform: (Float) -> Float) {
    makeUnique()
    let x = storage.pointer
    for index in 0..<count { x[index] = transform(x[index]) }
  }

  /// `self += scale * other` for tensors of the same element count.
  @inlinable
  public mutating func add(_ other: Tensor, scaledBy scale: Float = 1) {
    precondition(other.count == count, "add: \(other.shape) into \(shape)")
    makeUnique()
    let x = storage.pointer
    let y = other.storage.pointer
    if scale == 1 {
      for index in 0..<count { x[index] += y[index] }
    } else {
      for index in 0..<count { x[index] += scale * y[index] }
    }
  }

  /// Multiplies every element by `scale` in place.
  @inlinable
  public mutating func scale(by scale: Float) {
    makeUnique()
    let x = storage.pointer
    for index in 0..<count { x[index] *= scale }
  }

  public static func + (a: Tensor, b: Tensor) -> Tensor { zip(a, b, +) }
  public static func - (a: Tensor, b: Tensor) -> Tensor { zip(a, b, -) }
  public static func * (a: Tensor, b: Tensor) -> Tensor { zip(a, b, *) }
  public static func / (a: Tensor, b: Tensor) -> Tensor { zip(a, b, /) }
  public static func + (a: Tensor, b: Float) -> Tensor { a.map { $0 + b } }
  public static func - (a: Tensor, b: Float) -> Tensor { a.map { $0 - b } }
  public static func * (a: Tensor, b: Float) -> Tensor { a.map { $0 * b } }
  public static func * (a: Float, b: Tensor) -> Tensor { b.map { a * $0 } }
  public static func / (a: Tensor, b: Float) -> Tensor { a.map { $0 / b } }
  public static prefix func - (a: Tensor) -> Tensor { a.map { -$0 } }

  /// Elementwise maximum of two broadcast tensors.
  public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { zip(a, b) { Swift.max($0, $1) } }

  public func exp() -> Tensor { map { expf32($0) } }
  public func log() -> Tensor { map { logf32($0) } }
  public func squareRoot() -> Tensor { map { $0.squareRoot() } }
  public func squared() -> Tensor { map { $0 * $0 } }
  public func tanh() -> Tensor { map { tanhf32($0) } }
  public func relu() -> Tensor { map { $0 > 0 ? $0 : 0 } }

  /// The largest absolute difference to another tensor of the same shape.
  public func maximumAbsoluteDifference(_ other: Tensor) -> Float {
    precondition(shape == other.shape, "compare \(shape) with \(other.shape)")
    var largest: Float = 0
    for index in 0..<count {
      largest = Swift.max(largest, Swift.abs(storage.pointer[index] - other.storage.pointer[index]))
    }
    return largest
  }
}
