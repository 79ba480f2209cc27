import Testing

@testable import Transport

struct TokenBucketTests {
  @Test func aFullBucketGivesItsBurstThenRefillsAtItsRate() {
    var bucket = TokenBucket(tokensPerSecond: 10, capacity: 3, nowMilliseconds: 1_000)
    #expect((0..<3).allSatisfy { _ in bucket.take(nowMilliseconds: 1_000) })
    #expect(!bucket.take(nowMilliseconds: 1_000))
    // 10 per second: one token per 100 ms.
    #expect(!bucket.take(nowMilliseconds: 1_099))
    #expect(bucket.take(nowMilliseconds: 1_100))
    #expect(!bucket.take(nowMilliseconds: 1_100))
  }

  @Test func refillStopsAtTheCapacity() {
    var bucket = TokenBucket(tokensPerSecond: 1_000, capacity: 2, nowMilliseconds: 0)
    #expect(bucket.take(nowMilliseconds: 0))
    #expect(!bucket.isFull(nowMilliseconds: 0))
    #expect(bucket.isFull(nowMilliseconds: 60_000))
    #expect(bucket.take(nowMilliseconds: 60_000))
    #expect(bucket.take(nowMilliseconds: 60_000))
    #expect(!bucket.take(nowMilliseconds: 60_000))
  }

  @Test func aClockThatGoesBackRefillsNothing() {
    var bucket = TokenBucket(tokensPerSecond: 1, capacity: 1, nowMilliseconds: 10_000)
    #expect(bucket.take(nowMilliseconds: 10_000))
    #expect(!bucket.take(nowMilliseconds: 5_000))
    #expect(!bucket.take(nowMilliseconds: 10_999))
    #expect(bucket.take(nowMilliseconds: 11_000))
  }
}
