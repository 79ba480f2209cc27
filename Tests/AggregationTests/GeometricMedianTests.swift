import Tensors
import Testing

@testable import Aggregation

/// The smoothed Weiszfeld geometric median.
struct GeometricMedianTests {
  @Test func squareAndTriangleByHand() throws {
    let square = makeUpdates([[0, 0], [1, 0], [0, 1], [1, 1]])
    #expect(isClose(try AggregationRules.geometricMedian(square).values, [0.5, 0.5]))
    // An equilateral triangle's geometric median is its centre.
    let triangle = makeUpdates([[0, 0], [2, 0], [1, Float(3).squareRoot()]])
    let center = try AggregationRules.geometricMedian(triangle).values
    #expect(isClose(center, [1, Float(3).squareRoot() / 3], tolerance: 1e-3))
  }

  @Test func collinearPointsGiveTheMiddleOne() throws {
    let updates = makeUpdates([[0], [1], [10]])
    #expect(isClose(try AggregationRules.geometricMedian(updates).values, [1], tolerance: 1e-3))
  }

  @Test func weightsCount() throws {
    // Weight 3 at 0 against weight 1 at 1: the weighted median is 0.
    let updates = makeUpdates([[0], [1]], weights: [3, 1])
    #expect(isClose(try AggregationRules.geometricMedian(updates).values, [0], tolerance: 1e-3))
  }

  @Test func permutationInvariant() throws {
    var generator = SeededGenerator(seed: 13)
    let updates = honestUpdates(count: 9, center: [1, 2, 3, 4], spread: 1, generator: &generator)
    #expect(
      isClose(
        try AggregationRules.geometricMedian(shuffled(updates, seed: 2)).values,
        try AggregationRules.geometricMedian(updates).values, tolerance: 1e-3))
  }

  /// With honest updates within radius r of their mean and fewer than half Byzantine, the
  /// geometric median stays within (2(n - f) / (n - 2f)) r of it (Minsker 2015), whatever the
  /// Byzantine updates are.
  @Test func hugeUpdateMovesItBoundedly() throws {
    var generator = SeededGenerator(seed: 14)
    let honest = honestUpdates(
      count: 10, center: [Float](repeating: 2, count: 5_000), spread: 0.1, generator: &generator)
    let mean = plainMean(honest)
    let radius = honest.map { distance($0.values, mean) }.max()!
    let updates = honest + [Update(values: [Float](repeating: -1e15, count: 5_000), sender: 10)]
    let median = try AggregationRules.geometricMedian(updates).values
    #expect(distance(median, mean) <= 2 * 10 / 9 * radius)
  }

  @Test func withoutOutliersStaysCloseToTheMean() throws {
    var generator = SeededGenerator(seed: 15)
    let updates = honestUpdates(
      count: 30, center: [Float](repeating: 1, count: 2_000), spread: 0.1, generator: &generator)
    let mean = plainMean(updates)
    let radius = updates.map { distance($0.values, mean) }.max()!
    #expect(distance(try AggregationRules.geometricMedian(updates).values, mean) < 0.1 * radius)
  }
}
