/// Pure aggregation rules over `[Update]`, one family per file (`AggregationRules+Krum.swift`...).
///
/// Every rule validates its input (non-empty, equal lengths, finite values, valid weights) and
/// throws `AggregationError` instead of trapping, because updates come from peers.
public enum AggregationRules {}

extension AggregationRules {
  /// The sample-weighted mean of the updates (FedAvg, McMahan et al. 2017).
  ///
  /// Requirement: no Byzantine sender; a single update can move the mean arbitrarily far.
  /// - Complexity: O(n d) time, one pass over the updates.
  public static func weightedMean(_ updates: [Update]) throws(AggregationError) -> [Float] {
    _ = try Update.validate(updates)
    let total = updates.reduce(0.0) { $0 + Double($1.weight) }
    guard total > 0 else { throw .invalidParameter("the weights of the updates sum to zero") }
    return RowKernels.combined(
      updates.map(\.values), coefficients: updates.map { Float(Double($0.weight) / total) })
  }

  /// The unweighted mean of the updates.
  /// - Complexity: O(n d).
  static func plainMean(_ rows: [[Float]]) -> [Float] {
    RowKernels.combined(
      rows, coefficients: [Float](repeating: 1 / Float(rows.count), count: rows.count))
  }
}
