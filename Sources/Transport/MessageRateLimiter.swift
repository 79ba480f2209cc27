import Wire

/// Messages per authenticated peer (`messagesPerSecondPerPeer`): a token bucket per peer.
/// Messages over the rate are dropped and counted; each peer's drops are reported at most once
/// per `reportIntervalMilliseconds` (the first at once). The connection stays. A pure value,
/// time as an argument.
///
/// - Complexity: O(1) per message; `prune` is O(n) in the peers it tracks.
struct MessageRateLimiter {
  /// How often one peer's drops are reported.
  static let reportIntervalMilliseconds: UInt64 = 10_000

  let messagesPerSecond: Double
  let burst: Double
  private var buckets: [PeerID: TokenBucket] = [:]
  /// Drops not reported yet, and when each peer's drops were last reported.
  private var unreported: [PeerID: Int] = [:]
  private var lastReported: [PeerID: UInt64] = [:]
  /// Every message dropped so far.
  private(set) var droppedCount = 0

  init(messagesPerSecond: Double, burst: Double) {
    self.messagesPerSecond = messagesPerSecond
    self.burst = burst
  }

  enum Verdict: Equatable {
    case deliver
    /// Drop the message; report `count` drops of this peer when non-nil.
    case drop(report: Int?)
  }

  /// Whether `peer` may deliver one more message now.
  mutating func admit(from peer: PeerID, nowMilliseconds: UInt64) -> Verdict {
    let fresh = TokenBucket(
      tokensPerSecond: messagesPerSecond, capacity: burst, nowMilliseconds: nowMilliseconds)
    if buckets[peer, default: fresh].take(nowMilliseconds: nowMilliseconds) { return .deliver }
    droppedCount += 1
    unreported[peer, default: 0] += 1
    if let last = lastReported[peer], nowMilliseconds < last + Self.reportIntervalMilliseconds {
      return .drop(report: nil)
    }
    return .drop(report: takeReport(for: peer, nowMilliseconds: nowMilliseconds))
  }

  /// The drops due for a report now (peer, count), and forgets peers whose bucket is full and
  /// who have nothing left to report.
  mutating func prune(nowMilliseconds: UInt64) -> [(PeerID, Int)] {
    var reports: [(PeerID, Int)] = []
    for peer in Array(unreported.keys)
    where nowMilliseconds >= (lastReported[peer] ?? 0) + Self.reportIntervalMilliseconds {
      reports.append((peer, takeReport(for: peer, nowMilliseconds: nowMilliseconds)))
    }
    buckets = buckets.filter { !$0.value.isFull(nowMilliseconds: nowMilliseconds) }
    lastReported = lastReported.filter { peer, last in
      unreported[peer] != nil || nowMilliseconds < last + Self.reportIntervalMilliseconds
    }
    return reports
  }

  private mutating func takeReport(for peer: PeerID, nowMilliseconds: UInt64) -> Int {
    lastReported[peer] = nowMilliseconds
    return unreported.removeValue(forKey: peer) ?? 0
  }
}
