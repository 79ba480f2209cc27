import Testing

@testable import Aggregation

/// FedAvg's weighted mean.
struct MeanTests {
  @Test func weightedMeanByHand() throws {
    let updates = makeUpdates([[1, 10], [3, 20], [7, 0]], weights: [1, 2, 1])
    // (1*1 + 2*3 + 1*7) / 4 = 3.5; (10 + 40 + 0) / 4 = 12.5
    #expect(try AggregationRules.weightedMean(updates) == [3.5, 12.5])
  }

  @Test func zeroTotalWeightIsAnError() {
    #expect(throws: AggregationError.self) {
      try AggregationRules.weightedMean(makeUpdates([[1], [2]], weights: [0, 0]))
    }
  }

  @Test func permutationInvariant() throws {
    let updates = makeUpdates([[1, 2], [4, 1], [9, 5], [0, 3]], weights: [1, 3, 2, 5])
    let mean = try AggregationRules.weightedMean(updates)
    #expect(isClose(try AggregationRules.weightedMean(shuffled(updates, seed: 9)), mean))
  }
}
