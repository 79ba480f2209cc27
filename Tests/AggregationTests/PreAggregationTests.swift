import Tensors
import Testing

@testable import Aggregation

/// Nearest-neighbour mixing, bucketing and clipping.
struct PreAggregationTests {
  @Test func nearestNeighborMixingByHand() throws {
    // n = 4, f = 1: each update becomes the mean of its 3 nearest (itself included).
    let updates = makeUpdates([[0], [1], [3], [100]], weights: [1, 2, 3, 4])
    let mixed = try PreAggregation.nearestNeighborMixing(updates, byzantineCount: 1)
    let expected: [Float] = [4.0 / 3, 4.0 / 3, 4.0 / 3, 104.0 / 3]
    #expect(isClose(mixed.map { $0.values[0] }, expected))
    #expect(mixed.map(\.sender) == [0, 1, 2, 3])
    #expect(mixed.map(\.weight) == [1, 2, 3, 4])
  }

  @Test(arguments: [1, 2])
  func nearestNeighborMixingOnLongVectors(threads: Int) throws {
    try Parallel.withThreads(threads) {
      var generator = SeededGenerator(seed: 51)
      let updates = honestUpdates(
        count: 7, center: [Float](repeating: 0, count: 50_000), spread: 1, generator: &generator)
      let mixed = try PreAggregation.nearestNeighborMixing(updates, byzantineCount: 0)
      let mean = plainMean(updates)
      for update in mixed { #expect(isClose(update.values, mean)) }
    }
  }

  @Test func bucketingIsSeededAndAveragesBuckets() throws {
    let updates = makeUpdates([[0], [1], [2], [3], [4]], weights: [1, 1, 1, 1, 2])
    var generator = SeededGenerator(seed: 3)
    let (buckets, members) = try PreAggregation.bucketing(updates, size: 2, generator: &generator)
    #expect(buckets.count == 3)
    #expect(members.map(\.count) == [2, 2, 1])
    #expect(Set(members.flatMap { $0 }) == Set(0..<5))
    for (bucket, senders) in zip(buckets, members) {
      let mean = senders.reduce(Float(0)) { $0 + Float($1) } / Float(senders.count)
      #expect(bucket.values == [mean])
      #expect(bucket.weight == senders.reduce(Float(0)) { $0 + updates[$1].weight })
    }
    var again = SeededGenerator(seed: 3)
    #expect(try PreAggregation.bucketing(updates, size: 2, generator: &again).members == members)
  }

  @Test func clippingScalesOnlyLongUpdates() throws {
    let updates = makeUpdates([[3, 4], [0.3, 0.4]])
    let (clipped, senders) = try PreAggregation.clipping(updates, threshold: 1)
    #expect(isClose(clipped[0].values, [0.6, 0.8]))
    #expect(clipped[1].values == [0.3, 0.4])
    #expect(senders == [0])
    #expect(throws: AggregationError.self) { try PreAggregation.clipping(updates, threshold: 0) }
  }
}
