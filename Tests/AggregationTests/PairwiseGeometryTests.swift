import Tensors
import Testing

@testable import Aggregation

/// Distances from the Gram matrix against direct sums.
struct PairwiseGeometryTests {
  @Test(arguments: [1, 2])
  func distancesMatchDirectComputation(threads: Int) {
    Parallel.withThreads(threads) {
      var generator = SeededGenerator(seed: 3)
      let dimension = 70_001
      let rows = (0..<6).map { row in
        (0..<dimension).map { _ in Float(row) + generator.nextNormal() }
      }
      let distances = AggregationRules.squaredDistances(rows, dimension: dimension)
      for i in 0..<6 {
        for j in 0..<6 {
          let direct = Double(distance(rows[i], rows[j])) * Double(distance(rows[i], rows[j]))
          #expect(abs(distances[i * 6 + j] - direct) <= 1e-3 * Swift.max(direct, 1))
        }
      }
    }
  }

  @Test func distancesFromACombination() {
    let rows: [[Float]] = [[0, 0], [2, 0], [0, 4]]
    let geometry = RowKernels.withRowPointers(rows) {
      PairwiseGeometry(rows: $0, dimension: 2, reference: nil)
    }
    // The point (1, 1) = 0.5 * row1 + 0.25 * row2.
    let distances = geometry.squaredDistances(from: [0, 0.5, 0.25])
    #expect(distances.map { Float($0) } == [2, 2, 10])
  }
}
