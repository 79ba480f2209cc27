import Tensors

/// Inner products of n rows taken relative to a reference point, from one blocked GEMM.
///
/// Distances follow from the Gram matrix `G[i][j] = (x_i - r) . (x_j - r)` as
/// `|x_i - x_j|^2 = G[i][i] + G[j][j] - 2 G[i][j]`, and so do distances from any point
/// `r + sum_j c_j (x_j - r)`: the geometric median and CenteredClip iterate on those n
/// coefficients instead of on d-long vectors. Subtracting a reference near the rows keeps the
/// entries on the scale of the distances, so the subtraction above loses little precision; each
/// block's product is accumulated in Double.
struct PairwiseGeometry: Sendable {
  /// Rows (and columns) of `gram`.
  let count: Int
  /// Row-major n x n inner products relative to the reference.
  let gram: [Double]

  /// Coordinates per GEMM block: n x 2048 Floats stay in the L2 cache for n up to about 100.
  static let gemmBlockWidth = 2048

  /// The Gram matrix of `rows[i] - reference` (of the rows themselves when `reference` is nil).
  /// - Complexity: O(n^2 d) multiply-adds in single-precision GEMM, O(n d) memory traffic.
  init(rows: [UnsafePointer<Float>], dimension: Int, reference: UnsafePointer<Float>?) {
    let n = rows.count
    count = n
    let threads = Parallel.rangeCount(
      count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin)
    let partials = ThreadSlots<Double>(count: threads * n * n, initialValue: 0)
    Parallel.forEachIndexedRange(
      count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin
    ) { thread, range in
      Self.accumulate(
        rows: rows, reference: reference, range: range, into: partials.base + thread * n * n)
    }
    var gram = [Double](repeating: 0, count: n * n)
    for thread in 0..<threads {
      for index in 0..<(n * n) { gram[index] += partials[thread * n * n + index] }
    }
    self.gram = gram
  }

  /// Adds the Gram matrix of the coordinates in `range` to `output` (n x n Doubles).
  private static func accumulate(
    rows: [UnsafePointer<Float>], reference: UnsafePointer<Float>?, range: Range<Int>,
    into output: UnsafeMutablePointer<Double>
  ) {
    let n = rows.count
    let width = gemmBlockWidth
    let block = UnsafeMutablePointer<Float>.allocate(capacity: n * width)
    let product = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
    defer {
      block.deallocate()
      product.deallocate()
    }
    var start = range.lowerBound
    while start < range.upperBound {
      let columns = Swift.min(width, range.upperBound - start)
      for row in 0..<n {
        let source = rows[row] + start
        let target = block + row * width
        if let reference {
          let center = reference + start
          for column in 0..<columns { target[column] = source[column] - center[column] }
        } else {
          target.update(from: source, count: columns)
        }
      }
      Tensor.gemmSingleThreaded(
        transposeA: false, transposeB: true, m: n, n: n, k: columns, a: block, lda: width,
        b: block, ldb: width, c: product, ldc: n)
      for index in 0..<(n * n) { output[index] += Double(product[index]) }
      start += columns
    }
  }

  /// The squared distance between rows `i` and `j` (never negative).
  func squaredDistance(_ i: Int, _ j: Int) -> Double {
    Swift.max(0, gram[i * count + i] + gram[j * count + j] - 2 * gram[i * count + j])
  }

  /// All squared distances, row-major n x n.
  /// - Complexity: O(n^2).
  func squaredDistances() -> [Double] {
    var distances = [Double](repeating: 0, count: count * count)
    for i in 0..<count {
      for j in 0..<count where j != i { distances[i * count + j] = squaredDistance(i, j) }
    }
    return distances
  }

  /// `G c`, the inner products of every row with the point `sum_j c_j (x_j - r)`.
  func product(_ coefficients: [Double]) -> [Double] {
    (0..<count).map { i in
      var sum = 0.0
      for j in 0..<count { sum += gram[i * count + j] * coefficients[j] }
      return sum
    }
  }

  /// Squared distances from the point `r + sum_j c_j (x_j - r)` to every row.
  /// - Complexity: O(n^2).
  func squaredDistances(from coefficients: [Double]) -> [Double] {
    let inner = product(coefficients)
    var pointNorm = 0.0
    for j in 0..<count { pointNorm += coefficients[j] * inner[j] }
    return (0..<count).map { i in
      Swift.max(0, pointNorm - 2 * inner[i] + gram[i * count + i])
    }
  }

  /// The index of the row whose norm is the median of the rows' norms (relative to the reference
  /// used). A good reference for a second, centred Gram: an outlier rarely has the median norm.
  func medianNormIndex() -> Int {
    let order = (0..<count).sorted { gram[$0 * count + $0] < gram[$1 * count + $1] }
    return order[(count - 1) / 2]
  }
}

extension PairwiseGeometry {
  /// The Gram matrix of `rows` centred on the row with the median norm, and that row's index.
  /// - Complexity: O(n d) for the norms plus the GEMM of `init`.
  static func centered(rows: [UnsafePointer<Float>], dimension: Int) -> (PairwiseGeometry, Int) {
    let norms = rows.map { RowKernels.norm($0, count: dimension) }
    let order = norms.indices.sorted { norms[$0] < norms[$1] }
    let reference = order[(order.count - 1) / 2]
    return (
      PairwiseGeometry(rows: rows, dimension: dimension, reference: rows[reference]), reference
    )
  }
}
