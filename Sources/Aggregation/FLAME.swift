import Tensors

/// Parameters of FLAME.
public struct FLAMEOptions: Sendable, Hashable {
  /// The noise level lambda: the noise standard deviation is lambda times the clipping bound
  /// (0.001 for image classification in the paper; 0 turns the noise off).
  public var noiseLevel: Float
  /// HDBSCAN's minimum samples (1 in the authors' implementation: plain single linkage).
  public var minimumSamples: Int

  public init(noiseLevel: Float = 0.001, minimumSamples: Int = 1) {
    self.noiseLevel = noiseLevel
    self.minimumSamples = minimumSamples
  }
}

/// The result of FLAME.
public struct FLAMEOutcome: Sendable, Equatable {
  /// The aggregate (noise included).
  public var values: [Float]
  /// Indices of the updates in the majority cluster, ascending.
  public var acceptedIndices: [Int]
  /// Indices of accepted updates scaled down to the clipping bound.
  public var clippedIndices: [Int]
  /// The clipping bound S: the median L2 norm of all updates.
  public var clippingBound: Float
  /// The noise standard deviation added to every coordinate (lambda * S).
  public var noiseStandardDeviation: Float
}

extension AggregationRules {
  /// FLAME (Nguyen et al. 2022, "FLAME: Taming Backdoors in Federated Learning"). Unweighted.
  ///
  /// 1. HDBSCAN over pairwise cosine distances with minimum cluster size n/2 + 1 (a single
  ///    cluster allowed); updates outside the majority cluster are rejected. With
  ///    `globalModel`, the distances are between the local models `globalModel + update`, as in
  ///    the paper's Algorithm 1; without it, between the updates.
  /// 2. Clipping bound S = median of the L2 norms of all n updates (they are deltas from the
  ///    global model, so the norm is the distance the paper uses); accepted updates longer than
  ///    S are scaled down to S.
  /// 3. The mean of the clipped accepted updates plus Gaussian noise N(0, (lambda S)^2) per
  ///    coordinate, drawn from `generator`.
  ///
  /// Requirement: n > 2f (the benign updates must form the majority cluster).
  /// - Complexity: O(n^2 d) (one GEMM for the cosines) + O(n^2 log n) HDBSCAN + O(n d) + O(d)
  ///   normal draws.
  public static func flame(
    _ updates: [Update], globalModel: [Float]? = nil, options: FLAMEOptions = FLAMEOptions(),
    generator: inout SeededGenerator
  ) throws(AggregationError) -> FLAMEOutcome {
    let dimension = try Update.validate(updates)
    if let globalModel { try Update.validateReference(globalModel, dimension: dimension) }
    guard options.noiseLevel.isFinite, options.noiseLevel >= 0, options.minimumSamples >= 1 else {
      throw .invalidParameter("flame needs a finite noise level >= 0 and minimum samples >= 1")
    }
    let n = updates.count
    let rows = updates.map(\.values)
    let geometry = RowKernels.withRowPointers(rows) { pointers in
      PairwiseGeometry(rows: pointers, dimension: dimension, reference: nil)
    }
    let norms = (0..<n).map { geometry.gram[$0 * n + $0].squareRoot() }
    let accepted = flameMajority(
      gram: modelGram(geometry.gram, rows: rows, globalModel: globalModel), count: n,
      options: options)
    let bound = medianOf(norms)
    var coefficients = [Float](repeating: 0, count: n)
    for index in accepted {
      let scale = norms[index] > bound ? bound / norms[index] : 1
      coefficients[index] = Float(scale / Double(accepted.count))
    }
    var values = RowKernels.combined(rows, coefficients: coefficients)
    let deviation = options.noiseLevel * Float(bound)
    if deviation > 0 {
      for index in values.indices { values[index] += deviation * generator.nextNormal() }
    }
    return FLAMEOutcome(
      values: values, acceptedIndices: accepted,
      clippedIndices: accepted.filter { norms[$0] > bound }, clippingBound: Float(bound),
      noiseStandardDeviation: deviation)
  }

  /// The Gram matrix of the local models `G + u_i` from the updates' Gram matrix:
  /// `<G + u_i, G + u_j> = |G|^2 + <G, u_i> + <G, u_j> + <u_i, u_j>` (n dot products with G, no
  /// second GEMM). Without `globalModel`, the updates' own Gram matrix.
  static func modelGram(_ gram: [Double], rows: [[Float]], globalModel: [Float]?) -> [Double] {
    guard let globalModel else { return gram }
    let n = rows.count
    let projections = rows.map { RowKernels.dot($0, globalModel) }
    let squaredNorm = RowKernels.dot(globalModel, globalModel)
    var models = gram
    for i in 0..<n {
      for j in 0..<n {
        models[i * n + j] += squaredNorm + projections[i] + projections[j]
      }
    }
    return models
  }

  /// The indices of the largest HDBSCAN cluster over the cosine distances of the vectors whose
  /// Gram matrix is `gram` (all of them when n < 3).
  static func flameMajority(gram: [Double], count n: Int, options: FLAMEOptions) -> [Int] {
    guard n >= 3 else { return Array(0..<n) }
    let norms = (0..<n).map { Swift.max(gram[$0 * n + $0], 0).squareRoot() }
    var distances = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
      for j in 0..<n where j != i {
        let scale = norms[i] * norms[j]
        let cosine = scale > 0 ? gram[i * n + j] / scale : 0
        distances[i * n + j] = Swift.min(2, Swift.max(0, 1 - cosine))
      }
    }
    let clustering = HDBSCAN(
      minimumClusterSize: n / 2 + 1, minimumSamples: options.minimumSamples,
      allowsSingleCluster: true)
    let labels = clustering.labels(distances: distances, count: n)
    var members: [Int: [Int]] = [:]
    for (index, label) in labels.enumerated() where label != HDBSCAN.noise {
      members[label, default: []].append(index)
    }
    let largest = members.max { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }
    return largest?.value ?? []
  }
}
