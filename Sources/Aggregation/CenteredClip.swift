/// Parameters of CenteredClip.
public struct CenteredClipOptions: Sendable, Hashable {
  /// The clipping radius tau; nil picks, at every iteration, the median distance from the current
  /// center to the updates (scale-free, and an outlier cannot raise it).
  public var radius: Float?
  /// Clipping iterations L (Karimireddy et al. find one enough with a good warm start).
  public var iterations: Int

  public init(radius: Float? = nil, iterations: Int = 5) {
    self.radius = radius
    self.iterations = iterations
  }
}

extension AggregationRules {
  /// CenteredClip (Karimireddy et al. 2021, "Learning from History for Byzantine Robust
  /// Optimization"): starting from the previous aggregate v, repeat
  /// `v <- v + (1/n) sum_i (x_i - v) min(1, tau / |x_i - v|)`. Unweighted.
  ///
  /// Each update moves the center by at most tau / n per iteration, however large it is. The
  /// iterate stays `v0 + sum_j c_j (x_j - v0)`, so the iterations run on n coefficients with
  /// distances from the Gram matrix of `x_j - v0`; the vector is formed once at the end.
  ///
  /// Requirement: n > 2f (the analysis needs a Byzantine fraction well below one half).
  /// - Parameter previousAggregate: the warm start v0 (the last round's aggregate delta, which
  ///   plays the role of the paper's momentum); nil starts from the zero delta.
  /// - Complexity: O(n^2 d) (one GEMM) + O(n^2) per iteration + O(n d).
  public static func centeredClip(
    _ updates: [Update], previousAggregate: [Float]?,
    options: CenteredClipOptions = CenteredClipOptions()
  ) throws(AggregationError) -> IterativeOutcome {
    let dimension = try Update.validate(updates)
    if let previousAggregate {
      try Update.validateReference(previousAggregate, dimension: dimension)
    }
    guard options.iterations >= 1, options.radius.map({ $0.isFinite && $0 > 0 }) ?? true else {
      throw .invalidParameter("centeredclip needs iterations >= 1 and a finite positive radius")
    }
    let n = updates.count
    let rows = updates.map(\.values)
    let geometry = RowKernels.withRowPointers(rows) { pointers in
      guard let previousAggregate else {
        return PairwiseGeometry(rows: pointers, dimension: dimension, reference: nil)
      }
      return previousAggregate.withUnsafeBufferPointer { reference in
        PairwiseGeometry(rows: pointers, dimension: dimension, reference: reference.baseAddress)
      }
    }
    var coefficients = [Double](repeating: 0, count: n)
    var clipped: [Int] = []
    for _ in 0..<options.iterations {
      let distances = geometry.squaredDistances(from: coefficients).map { $0.squareRoot() }
      let radius = options.radius.map(Double.init) ?? medianOf(distances)
      let factors = distances.map { $0 > radius ? radius / $0 : 1 }
      clipped = factors.indices.filter { factors[$0] < 1 }
      let kept = 1 - factors.reduce(0, +) / Double(n)
      coefficients = (0..<n).map { coefficients[$0] * kept + factors[$0] / Double(n) }
    }
    var combination = coefficients.map { Float($0) }
    var sources = rows
    if let previousAggregate {
      combination.append(Float(1 - coefficients.reduce(0, +)))
      sources.append(previousAggregate)
    }
    let values = RowKernels.combined(sources, coefficients: combination)
    return IterativeOutcome(
      values: values, iterations: options.iterations, clippedIndices: clipped)
  }

  /// The median of a short list (mean of the middle two for an even count).
  static func medianOf(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
