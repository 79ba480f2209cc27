import Tensors
import Testing

@testable import Aggregation

/// Coordinate-wise median and trimmed mean.
struct CoordinateWiseTests {
  @Test func medianByHand() throws {
    let odd = makeUpdates([[1, 5], [3, -1], [2, 100]])
    #expect(try AggregationRules.coordinateWiseMedian(odd) == [2, 5])
    let even = makeUpdates([[1, 5], [3, -1], [2, 100], [10, 0]])
    #expect(try AggregationRules.coordinateWiseMedian(even) == [2.5, 2.5])
  }

  @Test func trimmedMeanByHand() throws {
    let updates = makeUpdates([[1, 0], [2, 0], [3, 6], [100, 3], [-50, 9]])
    // Coordinate 0 keeps 1, 2, 3; coordinate 1 keeps 0, 3, 6.
    #expect(try AggregationRules.trimmedMean(updates, trimming: 1) == [2, 3])
    #expect(try AggregationRules.trimmedMean(updates, trimming: 0) == [11.2, 3.6])
    #expect(throws: AggregationError.self) {
      try AggregationRules.trimmedMean(updates, trimming: 3)
    }
  }

  @Test(arguments: [1, 2])
  func matchesSortingOnLongVectors(threads: Int) throws {
    try Parallel.withThreads(threads) {
      var generator = SeededGenerator(seed: 11)
      let updates = honestUpdates(
        count: 9, center: [Float](repeating: 0, count: 70_000), spread: 1, generator: &generator)
      let median = try AggregationRules.coordinateWiseMedian(updates)
      let trimmed = try AggregationRules.trimmedMean(updates, trimming: 2)
      for index in stride(from: 0, to: 70_000, by: 997) {
        let sorted = updates.map { $0.values[index] }.sorted()
        #expect(median[index] == sorted[4])
        #expect(abs(trimmed[index] - sorted[2..<7].reduce(0, +) / 5) < 1e-5)
      }
    }
  }

  @Test func permutationInvariant() throws {
    var generator = SeededGenerator(seed: 2)
    let updates = honestUpdates(count: 8, center: [1, 2, 3], spread: 1, generator: &generator)
    let permuted = shuffled(updates, seed: 4)
    #expect(
      try AggregationRules.coordinateWiseMedian(permuted)
        == AggregationRules.coordinateWiseMedian(updates))
    #expect(
      isClose(
        try AggregationRules.trimmedMean(permuted, trimming: 2),
        try AggregationRules.trimmedMean(updates, trimming: 2)))
  }

  /// With f < n/2 Byzantine values, each output coordinate lies within the honest values' range,
  /// however large the Byzantine values are.
  @Test func hugeUpdateStaysWithinHonestRange() throws {
    var generator = SeededGenerator(seed: 5)
    var updates = honestUpdates(count: 10, center: [0, 0, 0, 0], spread: 1, generator: &generator)
    let honest = updates
    updates.append(Update(values: [1e30, -1e30, 1e30, 3e38], sender: 99))
    for output in [
      try AggregationRules.coordinateWiseMedian(updates),
      try AggregationRules.trimmedMean(updates, trimming: 1),
    ] {
      for index in 0..<4 {
        let column = honest.map { $0.values[index] }
        #expect(output[index] >= column.min()! && output[index] <= column.max()!)
      }
    }
  }

  @Test func withoutOutliersStaysCloseToTheMean() throws {
    var generator = SeededGenerator(seed: 6)
    let center = [Float](repeating: 3, count: 1000)
    let updates = honestUpdates(count: 50, center: center, spread: 0.1, generator: &generator)
    let mean = plainMean(updates)
    // Per coordinate the median of 50 N(3, 0.01) samples is within a few standard errors.
    #expect(distance(try AggregationRules.coordinateWiseMedian(updates), mean) < 0.1 * 32 * 0.3)
    #expect(distance(try AggregationRules.trimmedMean(updates, trimming: 5), mean) < 0.1 * 32 * 0.2)
  }
}
