import Testing
import Wire

@testable import Transport

/// A limiter in a box, so that `#expect` can call its mutating methods.
final class LimiterBox {
  var limiter: MessageRateLimiter
  init(messagesPerSecond: Double, burst: Double) {
    limiter = MessageRateLimiter(messagesPerSecond: messagesPerSecond, burst: burst)
  }
  var droppedCount: Int { limiter.droppedCount }
  func admit(from peer: PeerID, nowMilliseconds: UInt64) -> MessageRateLimiter.Verdict {
    limiter.admit(from: peer, nowMilliseconds: nowMilliseconds)
  }
  func prune(nowMilliseconds: UInt64) -> [(PeerID, Int)] {
    limiter.prune(nowMilliseconds: nowMilliseconds)
  }
}

struct MessageRateLimiterTests {
  let peer = PeerID(simulatedIndex: 1)
  let other = PeerID(simulatedIndex: 2)

  @Test func messagesBeyondTheBucketAreDroppedCountedAndReportedOncePerInterval() {
    let limiter = LimiterBox(messagesPerSecond: 10, burst: 20)
    let verdicts = (0..<25).map { _ in limiter.admit(from: peer, nowMilliseconds: 0) }
    #expect(verdicts.prefix(20).allSatisfy { $0 == .deliver })
    #expect(verdicts[20] == .drop(report: 1))
    #expect(verdicts.dropFirst(21).allSatisfy { $0 == .drop(report: nil) })
    #expect(limiter.droppedCount == 5)
    // Another peer has its own bucket.
    #expect(limiter.admit(from: other, nowMilliseconds: 0) == .deliver)
    // The 4 drops after the first are reported once the interval has passed.
    #expect(limiter.prune(nowMilliseconds: 9_999).isEmpty)
    let reports = limiter.prune(nowMilliseconds: 10_000)
    #expect(reports.count == 1 && reports.first?.0 == peer && reports.first?.1 == 4)
    #expect(limiter.prune(nowMilliseconds: 20_000).isEmpty)
  }

  @Test func theBucketRefillsSoTheConnectionKeepsDelivering() {
    let limiter = LimiterBox(messagesPerSecond: 10, burst: 8)
    for _ in 0..<8 { _ = limiter.admit(from: peer, nowMilliseconds: 0) }
    #expect(limiter.admit(from: peer, nowMilliseconds: 0) != .deliver)
    #expect(limiter.admit(from: peer, nowMilliseconds: 100) == .deliver)
  }
}
