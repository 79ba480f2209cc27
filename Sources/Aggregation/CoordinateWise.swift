import Tensors

extension AggregationRules {
  /// The coordinate-wise median (Yin et al. 2018): for each parameter, the median of the n
  /// values (the mean of the two middle values when n is even). Unweighted.
  ///
  /// Requirement: n > 2f. With fewer than half the updates Byzantine, every output coordinate
  /// lies between two honest values of that coordinate.
  /// - Complexity: O(n d) expected time (quickselect per coordinate), O(n) scratch per thread.
  public static func coordinateWiseMedian(_ updates: [Update]) throws(AggregationError) -> [Float] {
    let dimension = try Update.validate(updates)
    let n = updates.count
    return coordinateWise(updates.map(\.values), dimension: dimension) { values in
      OrderStatistics.median(values, count: n)
    }
  }

  /// The coordinate-wise trimmed mean (Yin et al. 2018): for each parameter, drop the `trimming`
  /// largest and `trimming` smallest values and average the other n - 2 * trimming. Unweighted.
  ///
  /// Requirement: n > 2 * trimming (usually trimming = f).
  /// - Complexity: O(n d) expected time (two quickselects per coordinate).
  public static func trimmedMean(_ updates: [Update], trimming: Int) throws(AggregationError)
    -> [Float]
  {
    let dimension = try Update.validate(updates)
    let n = updates.count
    guard trimming >= 0, n > 2 * trimming else {
      throw .requirementNotMet(
        rule: .trimmedMean, reason: "trimmed mean needs n > 2f, got n = \(n), f = \(trimming)")
    }
    return coordinateWise(updates.map(\.values), dimension: dimension) { values in
      OrderStatistics.trimmedMean(values, count: n, trimming: trimming)
    }
  }

  /// Applies `reduce` to every coordinate's n values, gathered into a contiguous scratch buffer
  /// (which `reduce` may reorder). Coordinates go through in blocks, transposed a block at a time
  /// so that each row is read sequentially, and the blocks are split across threads.
  /// - Complexity: O(n d) plus d calls of `reduce`.
  static func coordinateWise(
    _ rows: [[Float]], dimension: Int, _ reduce: (UnsafeMutablePointer<Float>) -> Float
  ) -> [Float] {
    let n = rows.count
    let width = transposeBlockWidth
    return RowKernels.withRowPointers(rows) { pointers in
      [Float](unsafeUninitializedCapacity: dimension) { output, initialized in
        let out = SendablePointer(output.baseAddress!)
        Parallel.forEachRange(count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin) {
          range in
          let block = UnsafeMutablePointer<Float>.allocate(capacity: width * n)
          defer { block.deallocate() }
          var start = range.lowerBound
          while start < range.upperBound {
            let columns = Swift.min(width, range.upperBound - start)
            for row in 0..<n {
              let source = pointers[row] + start
              for column in 0..<columns { block[column * n + row] = source[column] }
            }
            for column in 0..<columns {
              out.base[start + column] = reduce(block + column * n)
            }
            start += columns
          }
        }
        initialized = dimension
      }
    }
  }

  /// Coordinates transposed at a time by `coordinateWise`: 256 x n Floats (100 KiB for n = 100)
  /// stay in the L2 cache.
  static let transposeBlockWidth = 256
}
