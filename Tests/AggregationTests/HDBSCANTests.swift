import Tensors
import Testing

@testable import Aggregation

/// HDBSCAN on synthetic data.
struct HDBSCANTests {
  /// Euclidean distances between 2-D points, row-major.
  func distances(_ points: [(Double, Double)]) -> [Double] {
    points.flatMap { a in
      points.map { b in ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).squareRoot() }
    }
  }

  @Test(arguments: [1, 3])
  func separatedClustersAreFound(minimumSamples: Int) {
    var generator = SeededGenerator(seed: 31)
    let centers = [(0.0, 0.0), (100.0, 0.0), (0.0, 100.0)]
    let points = centers.flatMap { center in
      (0..<10).map { _ in
        (center.0 + Double(generator.nextNormal()), center.1 + Double(generator.nextNormal()))
      }
    }
    let clustering = HDBSCAN(minimumClusterSize: 6, minimumSamples: minimumSamples)
    let labels = clustering.labels(distances: distances(points), count: 30)
    for cluster in 0..<3 {
      let group = Set(labels[(cluster * 10)..<(cluster * 10 + 10)])
      #expect(group.count == 1)
      #expect(!group.contains(HDBSCAN.noise))
    }
    #expect(Set(labels).count == 3)
  }

  @Test func farPointIsNoise() {
    var points = (0..<8).map { (Double($0 % 4), Double($0 / 4)) }
    points += (0..<8).map { (50 + Double($0 % 4), Double($0 / 4)) }
    points.append((1000, 1000))
    let labels = HDBSCAN(minimumClusterSize: 4).labels(distances: distances(points), count: 17)
    #expect(labels[16] == HDBSCAN.noise)
    #expect(Set(labels[0..<8]).count == 1 && Set(labels[8..<16]).count == 1)
    #expect(labels[0] != labels[8])
  }

  @Test func minimumSpanningTreeByHand() {
    // A path 0 - 1 - 2 is cheaper than the direct 0 - 2 edge.
    let weights: [Double] = [0, 1, 5, 1, 0, 2, 5, 2, 0]
    let edges = HDBSCAN.minimumSpanningTree(weights, count: 3)
    #expect(edges.map { $0.2 } == [1, 2])
  }

  @Test func tooFewPointsAreNoise() {
    #expect(HDBSCAN(minimumClusterSize: 2).labels(distances: [0], count: 1) == [HDBSCAN.noise])
  }
}
