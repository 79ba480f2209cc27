import Tensors

/// Pre-aggregation stages: pure maps from a list of updates to another list, run before a rule.
public enum PreAggregation {
  /// Nearest-neighbour mixing (Allouah et al. 2023): every update is replaced by the mean of its
  /// n - f nearest updates (itself included; ties go to the lower index). Senders and weights
  /// are kept. Unweighted.
  ///
  /// Requirement: n > 2f.
  /// - Complexity: O(n^2 d): one GEMM for the distances and one for the n x n mixing matrix
  ///   times the n x d updates; O(n d) new memory.
  public static func nearestNeighborMixing(_ updates: [Update], byzantineCount f: Int)
    throws(AggregationError) -> [Update]
  {
    let dimension = try Update.validate(updates)
    let n = updates.count
    let stage = PreAggregationStage.nearestNeighborMixing
    if let reason = stage.requirementFailure(updateCount: n, byzantineCount: f) {
      throw .requirementNotMet(rule: .nearestNeighborMixing, reason: reason)
    }
    let rows = updates.map(\.values)
    let distances = AggregationRules.squaredDistances(rows, dimension: dimension)
    let kept = n - f
    var mixing = [Float](repeating: 0, count: n * n)
    for i in 0..<n {
      let nearest = (0..<n).sorted {
        (i == $0 ? -1 : distances[i * n + $0], $0) < (i == $1 ? -1 : distances[i * n + $1], $1)
      }
      for j in nearest.prefix(kept) { mixing[i * n + j] = 1 / Float(kept) }
    }
    let mixed = multiply(mixing, rows, dimension: dimension)
    return (0..<n).map {
      Update(values: mixed[$0], weight: updates[$0].weight, sender: updates[$0].sender)
    }
  }

  /// `mixing (n x n) * rows (n x d)` as n new rows, a block of coordinates at a time.
  /// - Complexity: O(n^2 d).
  static func multiply(_ mixing: [Float], _ rows: [[Float]], dimension: Int) -> [[Float]] {
    let n = rows.count
    let width = PairwiseGeometry.gemmBlockWidth
    return RowKernels.withRowPointers(rows) { sources in
      RowKernels.makeRows(count: n, dimension: dimension) { targets in
        mixing.withUnsafeBufferPointer { matrix in
          Parallel.forEachRange(
            count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin
          ) { range in
            let block = UnsafeMutablePointer<Float>.allocate(capacity: 2 * n * width)
            defer { block.deallocate() }
            let product = block + n * width
            var start = range.lowerBound
            while start < range.upperBound {
              let columns = Swift.min(width, range.upperBound - start)
              for row in 0..<n {
                (block + row * width).update(from: sources[row] + start, count: columns)
              }
              Tensor.gemmSingleThreaded(
                transposeA: false, transposeB: false, m: n, n: columns, k: n,
                a: matrix.baseAddress!, lda: n, b: block, ldb: width, c: product, ldc: width)
              for row in 0..<n {
                (targets[row] + start).update(from: product + row * width, count: columns)
              }
              start += columns
            }
          }
        }
      }
    }
  }

  /// Bucketing (Karimireddy et al. 2022): shuffle the updates with `generator`, cut them into
  /// buckets of `size` (the last one may be smaller) and return each bucket's plain mean, with
  /// the bucket's summed weight and the bucket's index as its sender.
  ///
  /// Afterwards there are ceil(n / size) updates, of which up to f may be contaminated.
  /// - Returns: the bucket means and, per bucket, the senders it holds.
  /// - Complexity: O(n d).
  public static func bucketing(
    _ updates: [Update], size: Int, generator: inout SeededGenerator
  ) throws(AggregationError) -> (updates: [Update], members: [[Int]]) {
    _ = try Update.validate(updates)
    guard size >= 1 else { throw .invalidParameter("bucketing needs a bucket size of at least 1") }
    var order = Array(updates.indices)
    // Fisher-Yates with our own draws, so the permutation is fixed by the seed on any platform.
    for index in stride(from: order.count - 1, to: 0, by: -1) {
      let other = Int(generator.next() % UInt64(index + 1))
      order.swapAt(index, other)
    }
    var buckets: [Update] = []
    var members: [[Int]] = []
    for (bucket, start) in stride(from: 0, to: order.count, by: size).enumerated() {
      let chosen = Array(order[start..<Swift.min(start + size, order.count)])
      let values = AggregationRules.plainMean(chosen.map { updates[$0].values })
      let weight = chosen.reduce(Float(0)) { $0 + updates[$1].weight }
      buckets.append(Update(values: values, weight: weight, sender: bucket))
      members.append(chosen.map { updates[$0].sender })
    }
    return (buckets, members)
  }

  /// Scales every update whose L2 norm exceeds `threshold` down to norm `threshold`.
  /// - Returns: the updates and the senders of the clipped ones.
  /// - Complexity: O(n d).
  public static func clipping(_ updates: [Update], threshold: Float) throws(AggregationError)
    -> (updates: [Update], clippedSenders: [Int])
  {
    _ = try Update.validate(updates)
    guard threshold.isFinite, threshold > 0 else {
      throw .invalidParameter("clip needs a finite positive threshold, got \(threshold)")
    }
    var result = updates
    var clipped: [Int] = []
    for index in result.indices {
      let norm = RowKernels.norm(result[index].values)
      guard norm > Double(threshold) else { continue }
      result[index].values = RowKernels.scaled(
        result[index].values, by: Float(Double(threshold) / norm))
      clipped.append(result[index].sender)
    }
    return (result, clipped)
  }
}
