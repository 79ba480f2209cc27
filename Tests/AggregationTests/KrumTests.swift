import Tensors
import Testing

@testable import Aggregation

/// Krum, Multi-Krum and Bulyan.
struct KrumTests {
  /// Five updates, f = 1: each scores the sum of its n - f - 2 = 2 smallest squared distances.
  /// Points 0, 1, 2 at 0, 1, 3 on a line; 3 at 10; 4 at 100.
  /// Scores: 0 -> 1 + 9 = 10, 1 -> 1 + 4 = 5, 2 -> 4 + 9 = 13, 3 -> 49 + 81 = 130, 4 -> huge.
  @Test func krumByHand() throws {
    let updates = makeUpdates([[0], [1], [3], [10], [100]])
    let outcome = try AggregationRules.krum(updates, byzantineCount: 1)
    #expect(outcome.selectedIndices == [1])
    #expect(outcome.values == [1])
    let multi = try AggregationRules.multiKrum(updates, byzantineCount: 1, selectionCount: 3)
    #expect(multi.selectedIndices == [0, 1, 2])
    #expect(isClose(multi.values, [4.0 / 3]))
  }

  @Test func requirementsAreEnforced() {
    let updates = makeUpdates([[0], [1], [2], [3]])
    #expect(throws: AggregationError.self) {
      try AggregationRules.krum(updates, byzantineCount: 1)
    }
    #expect(throws: AggregationError.self) {
      try AggregationRules.bulyan(
        makeUpdates([[Float]](repeating: [0], count: 6)), byzantineCount: 1)
    }
  }

  /// Seven updates, f = 1: Bulyan picks theta = 5 by repeated Krum (dropping the two outliers),
  /// then averages the beta = 3 values closest to the median per coordinate.
  @Test func bulyanByHand() throws {
    let updates = makeUpdates([[0, 0], [1, 5], [2, 1], [3, 2], [4, 3], [50, -50], [-80, 90]])
    let outcome = try AggregationRules.bulyan(updates, byzantineCount: 1)
    #expect(outcome.selectedIndices == [0, 1, 2, 3, 4])
    // Coordinate 0: 0..4, median 2, closest three 1, 2, 3. Coordinate 1: 0 1 2 3 5, median 2,
    // closest three 1, 2, 3.
    #expect(isClose(outcome.values, [2, 2]))
  }

  @Test func permutationInvariant() throws {
    var generator = SeededGenerator(seed: 8)
    let updates = honestUpdates(count: 12, center: [0, 0, 0], spread: 1, generator: &generator)
    let permuted = shuffled(updates, seed: 1)
    #expect(
      try AggregationRules.krum(permuted, byzantineCount: 2).values
        == AggregationRules.krum(updates, byzantineCount: 2).values)
    #expect(
      isClose(
        try AggregationRules.multiKrum(permuted, byzantineCount: 2).values,
        try AggregationRules.multiKrum(updates, byzantineCount: 2).values))
    #expect(
      isClose(
        try AggregationRules.bulyan(permuted, byzantineCount: 2).values,
        try AggregationRules.bulyan(updates, byzantineCount: 2).values))
  }

  /// Krum returns an honest update, so a huge update cannot move it at all.
  @Test func hugeUpdateIsNeverChosen() throws {
    var generator = SeededGenerator(seed: 12)
    let honest = honestUpdates(
      count: 10, center: [Float](repeating: 1, count: 20_000), spread: 0.1, generator: &generator)
    let updates = honest + [Update(values: [Float](repeating: 1e18, count: 20_000), sender: 10)]
    let outcome = try AggregationRules.krum(updates, byzantineCount: 1)
    #expect(outcome.selectedIndices[0] < 10)
    #expect(
      try AggregationRules.multiKrum(updates, byzantineCount: 1).selectedIndices == Array(0..<10))
    #expect(
      try AggregationRules.bulyan(updates, byzantineCount: 1).selectedIndices.allSatisfy { $0 < 10 }
    )
  }
}
