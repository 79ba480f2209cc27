/// Parameters of the smoothed Weiszfeld iterations.
public struct GeometricMedianOptions: Sendable, Hashable {
  /// The smoothing nu of RFA: distances below it count as nu, so no weight becomes infinite.
  public var smoothing: Double
  /// Iterations at most (each costs O(n^2): they run on n coefficients, not on d values).
  public var iterationsMax: Int
  /// Stops when an iteration moves the estimate by less than this fraction of its median
  /// distance to the updates. (A test on the objective would stop at once when one far outlier
  /// dominates the objective.)
  public var relativeTolerance: Double

  public init(smoothing: Double = 1e-6, iterationsMax: Int = 500, relativeTolerance: Double = 1e-7)
  {
    self.smoothing = smoothing
    self.iterationsMax = iterationsMax
    self.relativeTolerance = relativeTolerance
  }
}

/// The result of an iterative rule.
public struct IterativeOutcome: Sendable, Equatable {
  /// The aggregate.
  public var values: [Float]
  /// Iterations run.
  public var iterations: Int
  /// Indices of updates whose influence the last iteration clipped (CenteredClip only).
  public var clippedIndices: [Int]
}

extension AggregationRules {
  /// The weighted geometric median, argmin_z sum_i w_i |z - x_i|, by the smoothed Weiszfeld
  /// iterations of RFA (Pillutla et al. 2022), starting from the weighted mean.
  ///
  /// The iterate always stays a convex combination of the updates, so the iterations run on
  /// the n combination coefficients with distances from the Gram matrix, and the d-long vector
  /// is formed once at the end.
  ///
  /// Requirement: n > 2f, and the Byzantine senders' total weight below half (the weights are
  /// sample counts reported by peers: cap them upstream if peers may lie).
  /// - Complexity: O(n^2 d) (one GEMM) + O(n^2) per iteration + O(n d).
  public static func geometricMedian(
    _ updates: [Update], options: GeometricMedianOptions = GeometricMedianOptions()
  ) throws(AggregationError) -> IterativeOutcome {
    let dimension = try Update.validate(updates)
    guard options.smoothing > 0, options.iterationsMax >= 1, options.relativeTolerance >= 0 else {
      throw .invalidParameter("geomedian needs smoothing > 0 and at least one iteration")
    }
    let total = updates.reduce(0.0) { $0 + Double($1.weight) }
    guard total > 0 else { throw .invalidParameter("the weights of the updates sum to zero") }
    let weights = updates.map { Double($0.weight) / total }
    let rows = updates.map(\.values)
    let geometry = RowKernels.withRowPointers(rows) { pointers in
      PairwiseGeometry.centered(rows: pointers, dimension: dimension).0
    }
    var coefficients = weights
    var iterations = 0
    while iterations < options.iterationsMax {
      let distances = geometry.squaredDistances(from: coefficients).map { $0.squareRoot() }
      let scaled = (0..<weights.count).map {
        weights[$0] / Swift.max(options.smoothing, distances[$0])
      }
      let sum = scaled.reduce(0, +)
      let next = scaled.map { $0 / sum }
      let step = zip(next, coefficients).map { $0 - $1 }
      let stepLength = zip(step, geometry.product(step)).reduce(0) { $0 + $1.0 * $1.1 }
      coefficients = next
      iterations += 1
      let scale = medianOf(distances)
      if stepLength.squareRoot() <= options.relativeTolerance * scale { break }
    }
    let values = RowKernels.combined(rows, coefficients: coefficients.map { Float($0) })
    return IterativeOutcome(values: values, iterations: iterations, clippedIndices: [])
  }
}
