/// The result of a rule that picks some updates: the aggregate and the indices it kept.
public struct SelectionOutcome: Sendable, Equatable {
  /// The aggregate.
  public var values: [Float]
  /// Indices (into the rule's input) of the updates the aggregate is built from, ascending.
  public var selectedIndices: [Int]
}

extension AggregationRules {
  /// Krum (Blanchard et al. 2017): the update whose summed squared distance to its n - f - 2
  /// nearest other updates is smallest. Unweighted.
  ///
  /// Requirement: n >= 2f + 3.
  /// - Complexity: O(n^2 d) for the pairwise distances (one GEMM), O(n^2 log n) for the scores.
  public static func krum(_ updates: [Update], byzantineCount f: Int) throws(AggregationError)
    -> SelectionOutcome
  {
    try multiKrum(updates, byzantineCount: f, selectionCount: 1, rule: .krum)
  }

  /// Multi-Krum (Blanchard et al. 2017): the mean of the `selectionCount` updates with the best
  /// Krum scores (n - f when nil). Unweighted.
  ///
  /// Requirement: n >= 2f + 3 and 1 <= selectionCount <= n.
  /// - Complexity: O(n^2 d) + O(n^2 log n) + O(m d) for the mean of m selected updates.
  public static func multiKrum(
    _ updates: [Update], byzantineCount f: Int, selectionCount: Int? = nil
  ) throws(AggregationError) -> SelectionOutcome {
    try multiKrum(updates, byzantineCount: f, selectionCount: selectionCount, rule: .multiKrum)
  }

  private static func multiKrum(
    _ updates: [Update], byzantineCount f: Int, selectionCount: Int?, rule: AggregationRuleKind
  ) throws(AggregationError) -> SelectionOutcome {
    let dimension = try Update.validate(updates)
    let n = updates.count
    let selection = selectionCount ?? (n - f)
    let check: AggregationRule = rule == .krum ? .krum : .multiKrum(selectionCount: selection)
    if let reason = check.requirementFailure(updateCount: n, byzantineCount: f) {
      throw .requirementNotMet(rule: rule, reason: reason)
    }
    let rows = updates.map(\.values)
    let distances = squaredDistances(rows, dimension: dimension)
    let scores = krumScores(
      distances, count: n, candidates: Array(0..<n), neighbours: n - f - 2)
    let chosen = Array(scores.indices.sorted { scores[$0] < scores[$1] }.prefix(selection)).sorted()
    let values = selection == 1 ? rows[chosen[0]] : plainMean(chosen.map { rows[$0] })
    return SelectionOutcome(values: values, selectedIndices: chosen)
  }

  /// Bulyan (El Mhamdi et al. 2018): repeatedly take the Krum winner of the remaining updates
  /// until theta = n - 2f are chosen, then for each coordinate average the beta = theta - 2f
  /// chosen values closest to their median. Unweighted.
  ///
  /// Requirement: n >= 4f + 3.
  /// - Complexity: O(n^2 d) (one GEMM) + O(n^3 log n) for the repeated scores
  ///   + O(d theta log theta) for the coordinate-wise step.
  public static func bulyan(_ updates: [Update], byzantineCount f: Int) throws(AggregationError)
    -> SelectionOutcome
  {
    let dimension = try Update.validate(updates)
    let n = updates.count
    if let reason = AggregationRule.bulyan.requirementFailure(updateCount: n, byzantineCount: f) {
      throw .requirementNotMet(rule: .bulyan, reason: reason)
    }
    let rows = updates.map(\.values)
    let distances = squaredDistances(rows, dimension: dimension)
    var remaining = Array(0..<n)
    var chosen: [Int] = []
    let theta = n - 2 * f
    while chosen.count < theta {
      let neighbours = Swift.max(remaining.count - f - 2, 1)
      let scores = krumScores(distances, count: n, candidates: remaining, neighbours: neighbours)
      let best = scores.indices.min { scores[$0] < scores[$1] }!
      chosen.append(remaining.remove(at: best))
    }
    chosen.sort()
    let beta = theta - 2 * f
    let values = coordinateWise(chosen.map { rows[$0] }, dimension: dimension) { sorted in
      meanClosestToMedian(sorted, count: theta, kept: beta)
    }
    return SelectionOutcome(values: values, selectedIndices: chosen)
  }

  /// Per lane, the mean of the `kept` sorted values closest to the median (Bulyan's coordinate
  /// step): the closest values form the narrowest window of `kept` consecutive sorted values
  /// around the median, found by sliding the window and keeping its running sum.
  /// - Complexity: O(count) vector operations.
  @inline(__always)
  static func meanClosestToMedian(
    _ sorted: UnsafeMutablePointer<SIMD16<Float>>, count: Int, kept: Int
  ) -> SIMD16<Float> {
    let median =
      count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) * 0.5
    var windowSum = SIMD16<Float>(repeating: 0)
    for index in 0..<kept { windowSum += sorted[index] }
    var bestSpread = SIMD16<Float>(repeating: .infinity)
    var bestSum = windowSum
    for start in 0...(count - kept) {
      if start > 0 { windowSum += sorted[start + kept - 1] - sorted[start - 1] }
      let (below, above) = (median - sorted[start], sorted[start + kept - 1] - median)
      let spread = below.replacing(with: above, where: below .< above)
      let isBetter = spread .< bestSpread
      bestSpread.replace(with: spread, where: isBetter)
      bestSum.replace(with: windowSum, where: isBetter)
    }
    return bestSum / Float(kept)
  }

  /// Pairwise squared distances (row-major n x n) through a Gram matrix centred on the update of
  /// median norm.
  /// - Complexity: O(n^2 d).
  static func squaredDistances(_ rows: [[Float]], dimension: Int) -> [Double] {
    RowKernels.withRowPointers(rows) { pointers in
      PairwiseGeometry.centered(rows: pointers, dimension: dimension).0.squaredDistances()
    }
  }

  /// For each candidate, the sum of its `neighbours` smallest squared distances to the other
  /// candidates. Ties (a mutually nearest pair when `neighbours` is 1) go to the candidate closer
  /// to all the others, then to the lower index, so the choice does not depend on input order
  /// unless two updates are exactly alike.
  /// - Complexity: O(m^2 log m) for m candidates.
  static func krumScores(
    _ distances: [Double], count n: Int, candidates: [Int], neighbours: Int
  ) -> [KrumScore] {
    candidates.map { i in
      let others = candidates.filter { $0 != i }.map { distances[i * n + $0] }.sorted()
      return KrumScore(
        score: others.prefix(neighbours).reduce(0, +), total: others.reduce(0, +), index: i)
    }
  }
}

/// A Krum score with its tie-breakers, ordered best first.
struct KrumScore: Comparable {
  let score: Double
  let total: Double
  let index: Int

  static func < (a: KrumScore, b: KrumScore) -> Bool {
    (a.score, a.total, a.index) < (b.score, b.total, b.index)
  }
}
