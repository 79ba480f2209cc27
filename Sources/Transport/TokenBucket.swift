/// A token bucket: up to `capacity` tokens, refilled at `tokensPerSecond`; each event takes one
/// token, and an event that finds none is over the rate. Time is an argument (monotonic
/// milliseconds), so the bucket is a pure value.
struct TokenBucket: Equatable {
  let capacity: Double
  let tokensPerMillisecond: Double
  private(set) var tokens: Double
  private(set) var lastMilliseconds: UInt64

  /// A full bucket at `nowMilliseconds`.
  init(tokensPerSecond: Double, capacity: Double, nowMilliseconds: UInt64) {
    precondition(tokensPerSecond > 0 && tokensPerSecond.isFinite, "a bucket needs a positive rate")
    precondition(capacity >= 1 && capacity.isFinite, "a bucket holds at least one token")
    self.capacity = capacity
    tokensPerMillisecond = tokensPerSecond / 1_000
    tokens = capacity
    lastMilliseconds = nowMilliseconds
  }

  /// Takes one token if there is one; false when the event is over the rate. A clock that
  /// goes back refills nothing.
  mutating func take(nowMilliseconds: UInt64) -> Bool {
    refill(nowMilliseconds: nowMilliseconds)
    guard tokens >= 1 else { return false }
    tokens -= 1
    return true
  }

  /// Whether `take` would succeed at `nowMilliseconds`, without taking.
  func hasToken(nowMilliseconds: UInt64) -> Bool {
    var copy = self
    copy.refill(nowMilliseconds: nowMilliseconds)
    return copy.tokens >= 1
  }

  /// Whether the bucket would be full at `nowMilliseconds`: then forgetting it changes nothing
  /// (a new bucket starts full).
  func isFull(nowMilliseconds: UInt64) -> Bool {
    var copy = self
    copy.refill(nowMilliseconds: nowMilliseconds)
    return copy.tokens >= capacity
  }

  private mutating func refill(nowMilliseconds: UInt64) {
    guard nowMilliseconds > lastMilliseconds else { return }
    let elapsed = Double(nowMilliseconds - lastMilliseconds)
    tokens = min(capacity, tokens + elapsed * tokensPerMillisecond)
    lastMilliseconds = nowMilliseconds
  }
}
