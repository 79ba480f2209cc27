import Tensors

extension AggregationRules {
  /// The coordinate-wise median (Yin et al. 2018): for each parameter, the median of the n
  /// values (the mean of the two middle values when n is even). Unweighted.
  ///
  /// Requirement: n > 2f. With fewer than half the updates Byzantine, every output coordinate
  /// lies between two honest values of that coordinate.
  /// - Complexity: O(d n log^2 n) comparisons, done 16 coordinates per vector instruction
  ///   (a sorting network per coordinate), O(n) scratch per thread.
  public static func coordinateWiseMedian(_ updates: [Update]) throws(AggregationError) -> [Float] {
    let dimension = try Update.validate(updates)
    let n = updates.count
    return coordinateWise(updates.map(\.values), dimension: dimension) { sorted in
      n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) * 0.5
    }
  }

  /// The coordinate-wise trimmed mean (Yin et al. 2018): for each parameter, drop the `trimming`
  /// largest and `trimming` smallest values and average the other n - 2 * trimming. Unweighted.
  ///
  /// Requirement: n > 2 * trimming (usually trimming = f).
  /// - Complexity: O(d n log^2 n) comparisons, 16 coordinates per vector instruction.
  public static func trimmedMean(_ updates: [Update], trimming: Int) throws(AggregationError)
    -> [Float]
  {
    let dimension = try Update.validate(updates)
    let n = updates.count
    guard trimming >= 0, n > 2 * trimming else {
      throw .requirementNotMet(
        rule: .trimmedMean, reason: "trimmed mean needs n > 2f, got n = \(n), f = \(trimming)")
    }
    let kept = n - 2 * trimming
    return coordinateWise(updates.map(\.values), dimension: dimension) { sorted in
      var sum = SIMD16<Float>(repeating: 0)
      for index in trimming..<(trimming + kept) { sum += sorted[index] }
      return sum / Float(kept)
    }
  }

  /// Applies `reduce` to the sorted values of every coordinate, 16 coordinates at a time:
  /// `reduce` gets n vectors where lane k of vector m is the m-th smallest value of coordinate
  /// k, and returns the 16 results. Each thread copies a block of every row into an L2-sized
  /// scratch (sequential reads), then sorts 16-coordinate groups with a `SortingNetwork`.
  /// - Complexity: O(d n log^2 n / 16) vector operations.
  static func coordinateWise(
    _ rows: [[Float]], dimension: Int,
    _ reduce: (UnsafeMutablePointer<SIMD16<Float>>) -> SIMD16<Float>
  ) -> [Float] {
    let n = rows.count
    let network = SortingNetwork(count: n)
    let width = transposeBlockWidth
    return RowKernels.withRowPointers(rows) { pointers in
      [Float](unsafeUninitializedCapacity: dimension) { output, initialized in
        let out = SendablePointer(output.baseAddress!)
        Parallel.forEachRange(count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin) {
          range in
          let block = UnsafeMutablePointer<Float>.allocate(capacity: width * n)
          let vectors = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: n)
          defer {
            block.deallocate()
            vectors.deallocate()
          }
          var start = range.lowerBound
          while start < range.upperBound {
            let columns = Swift.min(width, range.upperBound - start)
            for row in 0..<n {
              (block + row * width).update(from: pointers[row] + start, count: columns)
              // Lanes past the end of the range are padding; their results are not stored.
              (block + row * width + columns).update(repeating: 0, count: width - columns)
            }
            for group in stride(from: 0, to: columns, by: 16) {
              let raw = UnsafeRawPointer(block + group)
              for row in 0..<n {
                vectors[row] = raw.loadUnaligned(
                  fromByteOffset: row * width * 4, as: SIMD16<Float>.self)
              }
              network.sort(vectors)
              let result = reduce(vectors)
              for lane in 0..<Swift.min(16, columns - group) {
                out.base[start + group + lane] = result[lane]
              }
            }
            start += columns
          }
        }
        initialized = dimension
      }
    }
  }

  /// Coordinates copied at a time by `coordinateWise`: 256 x n Floats (100 KiB for n = 100)
  /// stay in the L2 cache. A multiple of 16.
  static let transposeBlockWidth = 256
}
