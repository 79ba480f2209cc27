/// An n-dimensional array of Float32 values in row-major order with copy-on-write storage.
///
/// Shapes are validated where a tensor is built or combined (`precondition`: a wrong shape is a
/// programmer error); data from files or peers is validated by the reader before it becomes a
/// tensor. Images are laid out NHWC (batch, height, width, channels).
public struct Tensor: Sendable {
  /// Size of each dimension; `[]` is a scalar.
  public internal(set) var shape: [Int]
  @usableFromInline var storage: TensorStorage

  /// Number of elements.
  @inlinable public var count: Int { storage.count }
  /// Number of dimensions.
  public var rank: Int { shape.count }

  /// A tensor with uninitialised contents; every element must be written before it is read.
  public init(uninitializedShape shape: [Int]) {
    self.shape = shape
    self.storage = TensorStorage(uninitializedCount: Tensor.elementCount(shape))
  }

  /// A tensor of `shape` filled with `value`.
  public init(shape: [Int], repeating value: Float) {
    self.init(uninitializedShape: shape)
    storage.pointer.initialize(repeating: value, count: storage.count)
  }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) { self.init(shape: shape, repeating: 0) }

  /// A tensor holding `scalars` in row-major order.
  public init(shape: [Int], scalars: [Float]) {
    precondition(
      scalars.count == Tensor.elementCount(shape),
      "\(scalars.count) scalars do not fill shape \(shape)")
    self.init(uninitializedShape: shape)
    scalars.withUnsafeBufferPointer { source in
      storage.pointer.update(from: source.baseAddress!, count: source.count)
    }
  }

  /// A rank-1 tensor.
  public init(_ scalars: [Float]) { self.init(shape: [scalars.count], scalars: scalars) }

  /// A scalar (rank-0) tensor.
  public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

  /// A tensor whose elements are written by `body`, which receives uninitialised memory.
  public init(shape: [Int], initializingWith body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    self.init(uninitializedShape: shape)
    body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// The number of elements of a shape.
  @inlinable public static func elementCount(_ shape: [Int]) -> Int {
    var product = 1
    for dimension in shape {
      precondition(dimension >= 0, "negative dimension in \(shape)")
      product *= dimension
    }
    return product
  }

  /// All elements in row-major order.
  public var scalars: [Float] {
    Array(UnsafeBufferPointer(start: storage.pointer, count: count))
  }

  /// The single element of a one-element tensor.
  public var scalar: Float {
    precondition(count == 1, "scalar of a tensor of shape \(shape)")
    return storage.pointer[0]
  }

  /// Read access to the elements.
  @inlinable
  public func withUnsafeBufferPointer<Result>(
    _ body: (UnsafeBufferPointer<Float>) throws -> Result
  ) rethrows -> Result {
    try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// Write access to the elements; copies the storage first if it is shared.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<Result>(
    _ body: (UnsafeMutableBufferPointer<Float>) throws -> Result
  ) rethrows -> Result {
    makeUnique()
    return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
  }

  /// Ensures this tensor is the only owner of its storage.
  @inlinable public mutating func makeUnique() {
    if !isKnownUniquelyReferenced(&storage) { storage = copyOfStorage() }
  }

  @usableFromInline func copyOfStorage() -> TensorStorage {
    let copy = TensorStorage(uninitializedCount: count)
    copy.pointer.update(from: storage.pointer, count: count)
    return copy
  }

  /// Whether this tensor shares storage with another tensor (copy-on-write is pending).
  public mutating func isStorageShared() -> Bool { !isKnownUniquelyReferenced(&storage) }

  /// The element at a multi-dimensional index (slow; for tests and small tensors).
  public subscript(index: Int...) -> Float {
    get { storage.pointer[offset(of: index)] }
    set {
      makeUnique()
      storage.pointer[offset(of: index)] = newValue
    }
  }

  func offset(of index: [Int]) -> Int {
    precondition(index.count == shape.count, "index \(index) for shape \(shape)")
    var offset = 0
    for (axis, position) in index.enumerated() {
      precondition(position >= 0 && position < shape[axis], "index \(index) out of \(shape)")
      offset = offset * shape[axis] + position
    }
    return offset
  }

  /// The same elements under another shape with the same element count; `-1` infers one size.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var result = self
    result.shape = Tensor.resolve(newShape, count: count)
    return result
  }

  static func resolve(_ newShape: [Int], count: Int) -> [Int] {
    var resolved = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) {
        $0 * $1.element
      }
      precondition(
        known > 0 && count % known == 0, "cannot reshape \(count) elements to \(newShape)")
      resolved[inferred] = count / known
    }
    precondition(
      elementCount(resolved) == count, "cannot reshape \(count) elements to \(newShape)")
    return resolved
  }
}

extension Tensor: Equatable {
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    lhs.shape == rhs.shape
      && (lhs.storage === rhs.storage
        || memcmpEqual(lhs.storage.pointer, rhs.storage.pointer, lhs.count))
  }
}

private func memcmpEqual(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Bool
{
  for index in 0..<count where a[index] != b[index] { return false }
  return true
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
  }
}
