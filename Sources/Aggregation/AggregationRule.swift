/// The configuration names of aggregation rules and pre-aggregation stages.
public enum AggregationRuleKind: String, Sendable, Hashable, CaseIterable, Codable {
  case mean
  case median
  case trimmedMean = "trimmedmean"
  case krum
  case multiKrum = "multikrum"
  case bulyan
  case geometricMedian = "geomedian"
  case centeredClip = "centeredclip"
  case flame
  case nearestNeighborMixing = "nnm"
  case bucketing
  case clipping = "clip"

  /// Whether the name is a pre-aggregation stage (it transforms updates, it does not combine them).
  public var isPreAggregation: Bool {
    switch self {
    case .nearestNeighborMixing, .bucketing, .clipping: true
    default: false
    }
  }
}

/// A robust aggregation rule with its parameters; `AggregationPipeline` runs one.
public enum AggregationRule: Sendable, Hashable {
  /// Sample-weighted mean (FedAvg).
  case mean
  /// Coordinate-wise median.
  case median
  /// Coordinate-wise trimmed mean, trimming f values at each end.
  case trimmedMean
  /// Krum: the update with the smallest sum of squared distances to its n - f - 2 neighbours.
  case krum
  /// Multi-Krum: the mean of the `selectionCount` best Krum scores (n - f when nil).
  case multiKrum(selectionCount: Int?)
  /// Bulyan: n - 2f updates chosen by repeated Krum, then a coordinate-wise trimmed average.
  case bulyan
  /// The geometric median by smoothed Weiszfeld iterations (RFA).
  case geometricMedian(GeometricMedianOptions)
  /// CenteredClip, warm-started from the previous aggregate.
  case centeredClip(CenteredClipOptions)
  /// FLAME: HDBSCAN on cosine distances, norm clipping, adaptive noise.
  case flame(FLAMEOptions)

  /// The rule named `kind` with default parameters; nil for pre-aggregation names.
  public init?(kind: AggregationRuleKind) {
    switch kind {
    case .mean: self = .mean
    case .median: self = .median
    case .trimmedMean: self = .trimmedMean
    case .krum: self = .krum
    case .multiKrum: self = .multiKrum(selectionCount: nil)
    case .bulyan: self = .bulyan
    case .geometricMedian: self = .geometricMedian(GeometricMedianOptions())
    case .centeredClip: self = .centeredClip(CenteredClipOptions())
    case .flame: self = .flame(FLAMEOptions())
    case .nearestNeighborMixing, .bucketing, .clipping: return nil
    }
  }

  /// The configuration name of the rule.
  public var kind: AggregationRuleKind {
    switch self {
    case .mean: .mean
    case .median: .median
    case .trimmedMean: .trimmedMean
    case .krum: .krum
    case .multiKrum: .multiKrum
    case .bulyan: .bulyan
    case .geometricMedian: .geometricMedian
    case .centeredClip: .centeredClip
    case .flame: .flame
    }
  }

  /// Why the rule cannot run over `updateCount` updates of which up to `byzantineCount` may be
  /// Byzantine, or nil when it can.
  public func requirementFailure(updateCount n: Int, byzantineCount f: Int) -> String? {
    if n < 1 { return "\(kind.rawValue) needs at least one update" }
    if f < 0 { return "the Byzantine count must not be negative, got \(f)" }
    switch self {
    case .mean:
      return f == 0 ? nil : "mean tolerates no Byzantine update, but f = \(f)"
    case .median, .trimmedMean, .geometricMedian, .centeredClip, .flame:
      return n > 2 * f ? nil : "\(kind.rawValue) needs n > 2f, got n = \(n), f = \(f)"
    case .krum:
      return n >= 2 * f + 3 ? nil : "krum needs n >= 2f + 3, got n = \(n), f = \(f)"
    case .multiKrum(let selectionCount):
      if n < 2 * f + 3 { return "multikrum needs n >= 2f + 3, got n = \(n), f = \(f)" }
      if let selectionCount, !(1...n).contains(selectionCount) {
        return "multikrum selects \(selectionCount) updates, not in 1...\(n)"
      }
      return nil
    case .bulyan:
      return n >= 4 * f + 3 ? nil : "bulyan needs n >= 4f + 3, got n = \(n), f = \(f)"
    }
  }

  /// The rule's time cost for n updates of d values, as documented on its function.
  public var complexity: String {
    switch self {
    case .mean: "O(n d)"
    case .median, .trimmedMean: "O(n d) expected (quickselect per coordinate)"
    case .krum, .multiKrum: "O(n^2 d) (one GEMM) + O(n^2 log n)"
    case .bulyan: "O(n^2 d) + O(n^3) + O(d n log n)"
    case .geometricMedian, .centeredClip: "O(n^2 d) (one GEMM) + O(n^2) per iteration + O(n d)"
    case .flame: "O(n^2 d) (one GEMM) + O(n^2 log n) HDBSCAN + O(n d)"
    }
  }
}

/// A pre-aggregation stage: it maps the list of updates to another list before the rule runs.
public enum PreAggregationStage: Sendable, Hashable {
  /// Nearest-neighbour mixing: each update becomes the mean of its n - f nearest updates.
  case nearestNeighborMixing
  /// Bucketing: a seeded random permutation, then the mean of each bucket of `size` updates.
  case bucketing(size: Int)
  /// Scales every update whose L2 norm exceeds `threshold` down to that norm.
  case clipping(threshold: Float)

  /// The configuration name of the stage.
  public var kind: AggregationRuleKind {
    switch self {
    case .nearestNeighborMixing: .nearestNeighborMixing
    case .bucketing: .bucketing
    case .clipping: .clipping
    }
  }

  /// Why the stage cannot run here, or nil when it can.
  public func requirementFailure(updateCount n: Int, byzantineCount f: Int) -> String? {
    if n < 1 { return "\(kind.rawValue) needs at least one update" }
    switch self {
    case .nearestNeighborMixing:
      return n > 2 * f ? nil : "nnm needs n > 2f, got n = \(n), f = \(f)"
    case .bucketing(let size):
      return size >= 1 ? nil : "bucketing needs a bucket size of at least 1, got \(size)"
    case .clipping(let threshold):
      return threshold.isFinite && threshold > 0
        ? nil : "clip needs a finite positive threshold, got \(threshold)"
    }
  }

  /// Updates and assumed Byzantine count after the stage: bucketing leaves ceil(n / size) buckets,
  /// of which up to min(f, buckets) may hold a Byzantine update.
  public func countsAfter(updateCount n: Int, byzantineCount f: Int) -> (
    updates: Int, byzantine: Int
  ) {
    guard case .bucketing(let size) = self, size >= 1 else { return (n, f) }
    let buckets = (n + size - 1) / size
    return (buckets, Swift.min(f, buckets))
  }
}
