import Tensors
import Testing

@testable import Aggregation

/// CenteredClip.
struct CenteredClipTests {
  @Test func oneIterationByHand() throws {
    let updates = makeUpdates([[0], [2], [4]])
    let wide = CenteredClipOptions(radius: 100, iterations: 1)
    #expect(
      try AggregationRules.centeredClip(updates, previousAggregate: nil, options: wide).values
        == [2])
    // From 0 with radius 1: pulls 0, 2 * 1/2, 4 * 1/4, averaged: 2/3.
    let narrow = CenteredClipOptions(radius: 1, iterations: 1)
    let fromZero = try AggregationRules.centeredClip(
      updates, previousAggregate: nil, options: narrow)
    #expect(isClose(fromZero.values, [2.0 / 3]))
    #expect(fromZero.clippedIndices == [1, 2])
    // From 1: pulls -1, 1, 3 * 1/3, averaged: 1/3, so 4/3.
    let warm = try AggregationRules.centeredClip(updates, previousAggregate: [1], options: narrow)
    #expect(isClose(warm.values, [4.0 / 3]))
  }

  @Test func permutationInvariant() throws {
    var generator = SeededGenerator(seed: 21)
    let updates = honestUpdates(count: 9, center: [1, -1, 0.5], spread: 1, generator: &generator)
    #expect(
      isClose(
        try AggregationRules.centeredClip(shuffled(updates, seed: 3), previousAggregate: [0, 0, 0])
          .values,
        try AggregationRules.centeredClip(updates, previousAggregate: [0, 0, 0]).values))
  }

  /// Each iteration lets one update move the center by at most tau / n, and tau (the median
  /// distance) is one an outlier cannot raise: over L = 5 iterations with n = 11 the huge update
  /// contributes at most 5 tau / 11, so started at the honest mean the result stays within the
  /// honest radius of it (the plain mean moves by about 1e14 per coordinate).
  @Test func hugeUpdateMovesItBoundedly() throws {
    var generator = SeededGenerator(seed: 22)
    let center = [Float](repeating: 1, count: 5_000)
    let honest = honestUpdates(count: 10, center: center, spread: 0.1, generator: &generator)
    let previous = plainMean(honest)
    let updates = honest + [Update(values: [Float](repeating: 1e15, count: 5_000), sender: 10)]
    let result = try AggregationRules.centeredClip(updates, previousAggregate: previous)
    let tau = honest.map { distance($0.values, previous) }.max()!
    #expect(distance(result.values, previous) <= tau)
    #expect(result.clippedIndices.contains(10))
  }

  @Test func withoutOutliersStaysCloseToTheMean() throws {
    var generator = SeededGenerator(seed: 23)
    let updates = honestUpdates(
      count: 30, center: [Float](repeating: 1, count: 2_000), spread: 0.1, generator: &generator)
    let mean = plainMean(updates)
    let radius = updates.map { distance($0.values, mean) }.max()!
    let result = try AggregationRules.centeredClip(updates, previousAggregate: nil)
    #expect(distance(result.values, mean) < 0.1 * radius)
  }
}
