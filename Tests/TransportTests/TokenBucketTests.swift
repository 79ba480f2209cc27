import Testing

@testable import Transport

/// A bucket in a box, so that `#expect` can call its mutating methods.
final class BucketBox {
  var bucket: TokenBucket
  init(tokensPerSecond: Double, capacity: Double, nowMilliseconds: UInt64) {
    bucket = TokenBucket(
      tokensPerSecond: tokensPerSecond, capacity: capacity, nowMilliseconds: nowMilliseconds)
  }
  func take(_ nowMilliseconds: UInt64) -> Bool { bucket.take(nowMilliseconds: nowMilliseconds) }
  func isFull(_ nowMilliseconds: UInt64) -> Bool { bucket.isFull(nowMilliseconds: nowMilliseconds) }
}

struct TokenBucketTests {
  @Test func aFullBucketGivesItsBurstThenRefillsAtItsRate() {
    let bucket = BucketBox(tokensPerSecond: 10, capacity: 3, nowMilliseconds: 1_000)
    #expect((0..<3).allSatisfy { _ in bucket.take(1_000) })
    #expect(!bucket.take(1_000))
    // 10 per second: one token per 100 ms.
    #expect(!bucket.take(1_099))
    #expect(bucket.take(1_100))
    #expect(!bucket.take(1_100))
  }

  @Test func refillStopsAtTheCapacity() {
    let bucket = BucketBox(tokensPerSecond: 1_000, capacity: 2, nowMilliseconds: 0)
    #expect(bucket.take(0))
    #expect(!bucket.isFull(0))
    #expect(bucket.isFull(60_000))
    #expect(bucket.take(60_000))
    #expect(bucket.take(60_000))
    #expect(!bucket.take(60_000))
  }

  @Test func aClockThatGoesBackRefillsNothing() {
    let bucket = BucketBox(tokensPerSecond: 1, capacity: 1, nowMilliseconds: 10_000)
    #expect(bucket.take(10_000))
    #expect(!bucket.take(5_000))
    #expect(!bucket.take(10_999))
    #expect(bucket.take(11_000))
  }
}
