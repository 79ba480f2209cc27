import Testing

@testable import Aggregation

/// Input validation: bad peer data is a typed error, never a crash.
struct UpdateTests {
  @Test func emptyInputIsAnError() {
    #expect(throws: AggregationError.noUpdates) { try AggregationRules.weightedMean([]) }
  }

  @Test func mismatchedLengthsNameTheUpdate() {
    let updates = makeUpdates([[1, 2], [1, 2], [1]])
    #expect(throws: AggregationError.mismatchedLength(index: 2, expected: 2, actual: 1)) {
      try AggregationRules.coordinateWiseMedian(updates)
    }
  }

  @Test(arguments: [Float.nan, .infinity, -.infinity])
  func nonFiniteValuesAreRejected(bad: Float) {
    var rows = [[Float]](repeating: [Float](repeating: 1, count: 40_000), count: 3)
    rows[1][39_999] = bad
    #expect(throws: AggregationError.nonFiniteValue(index: 1)) {
      try AggregationRules.krum(makeUpdates(rows), byzantineCount: 0)
    }
  }

  @Test func negativeOrNonFiniteWeightsAreRejected() {
    for weight in [Float(-1), .nan, .infinity] {
      let updates = makeUpdates([[1], [2]], weights: [1, weight])
      #expect(throws: AggregationError.invalidWeight(index: 1)) {
        try AggregationRules.weightedMean(updates)
      }
    }
  }

  @Test func emptyUpdateIsAnError() {
    #expect(throws: AggregationError.emptyUpdate(index: 0)) {
      try AggregationRules.weightedMean(makeUpdates([[], []]))
    }
  }

  @Test func tooManyUpdatesIsAnError() {
    let updates = makeUpdates(
      [[Float]](repeating: [1], count: AggregationLimits.updateCountMax + 1))
    #expect(throws: AggregationError.tooManyUpdates(count: 1025, limit: 1024)) {
      try AggregationRules.coordinateWiseMedian(updates)
    }
  }

  @Test func previousAggregateIsChecked() {
    let updates = makeUpdates([[1, 2], [3, 4]])
    #expect(throws: AggregationError.mismatchedReferenceLength(expected: 2, actual: 3)) {
      try AggregationRules.centeredClip(updates, previousAggregate: [0, 0, 0])
    }
    #expect(throws: AggregationError.nonFiniteReference) {
      try AggregationRules.centeredClip(updates, previousAggregate: [0, .nan])
    }
  }
}
