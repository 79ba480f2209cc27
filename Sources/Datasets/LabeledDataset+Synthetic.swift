import Tensors

/// Small synthetic datasets for tests and demonstrations, deterministic from their seed.
extension LabeledDataset {
  /// Candidate centres drawn per class when placing Gaussian clusters; the one farthest from the
  /// centres already placed is kept.
  static let clusterCentreCandidates = 64
  /// Side of the synthetic square images.
  public static let squaresImageSide = 28
  /// Squares sit on a 4×4 grid of 7×7 cells, so there are at most 16 classes.
  public static let squaresClassCountMax = 16
  static let squaresGridSide = 4
  static let squaresCellSide = 7
  static let squaresSquareSide = 5

  /// Gaussian blobs: class `k` is a cloud of standard-normal noise around a random centre.
  ///
  /// Centres are normal vectors scaled by `separation`; each is the best of
  /// `clusterCentreCandidates` draws (the one farthest from the centres before it), so clusters
  /// rarely overlap even in two dimensions and a small MLP learns them to high accuracy. Sample
  /// `index` has label `index % classCount`, so every class has `count / classCount` (±1)
  /// samples and any prefix is balanced.
  ///
  /// - Complexity: O(`count` × `featureCount`).
  public static func gaussianClusters(
    classCount: Int, featureCount: Int, count: Int, separation: Float = 4, seed: UInt64
  ) -> LabeledDataset {
    precondition(classCount >= 1 && featureCount >= 1 && count >= 0, "invalid cluster sizes")
    precondition(separation > 0 && separation.isFinite, "separation must be positive")
    var generator = SeededGenerator(seed: seed)
    var centres: [[Float]] = []
    for _ in 0..<classCount {
      var best: [Float] = []
      var bestDistance = -Float.infinity
      for _ in 0..<clusterCentreCandidates {
        let candidate = (0..<featureCount).map { _ in separation * generator.nextNormal() }
        let distance = centres.map { squaredDistance($0, candidate) }.min() ?? 0
        if distance > bestDistance {
          best = candidate
          bestDistance = distance
        }
      }
      centres.append(best)
    }
    var features: [Float] = []
    features.reserveCapacity(count * featureCount)
    let labels = (0..<count).map { Int32($0 % classCount) }
    for label in labels {
      for centre in centres[Int(label)] { features.append(centre + generator.nextNormal()) }
    }
    return LabeledDataset(
      sampleShape: [featureCount], classCount: classCount, labels: labels, features: features)
  }

  private static func squaredDistance(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
  }

  /// 28×28×1 byte images of a bright 5×5 square on a dim noisy background; the square's cell on
  /// a 4×4 grid gives the class, and it is shifted by up to one pixel either way.
  ///
  /// Sample `index` has label `index % classCount`. Background bytes are uniform in 0...63 and
  /// square bytes in 192...255, so a small CNN or MLP separates the classes easily.
  ///
  /// - Complexity: O(`count` × 784).
  public static func brightSquares(classCount: Int, count: Int, seed: UInt64) -> LabeledDataset {
    precondition(
      classCount >= 1 && classCount <= squaresClassCountMax,
      "class count \(classCount) outside 1...\(squaresClassCountMax)")
    precondition(count >= 0, "negative sample count")
    var generator = SeededGenerator(seed: seed)
    let side = squaresImageSide
    let labels = (0..<count).map { Int32($0 % classCount) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count * side * side)
    for label in labels {
      var image = (0..<side * side).map { _ in UInt8(generator.next() & 63) }
      let cellRow = Int(label) / squaresGridSide
      let cellColumn = Int(label) % squaresGridSide
      let top = cellRow * squaresCellSide + Int(generator.next() % 3)
      let left = cellColumn * squaresCellSide + Int(generator.next() % 3)
      for row in top..<top + squaresSquareSide {
        for column in left..<left + squaresSquareSide {
          image[row * side + column] = 192 | UInt8(generator.next() & 63)
        }
      }
      bytes += image
    }
    return LabeledDataset(
      sampleShape: [side, side, 1], classCount: classCount, labels: labels, bytes: bytes)
  }
}
