#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a transport reads the time: hello timestamps come from the wall clock, timeouts from a
/// clock that never goes back. Tests inject a clock that is wrong on purpose.
public protocol TransportClock: Sendable {
  /// Milliseconds since 1970-01-01 00:00 UTC.
  func unixMilliseconds() -> UInt64
  /// Milliseconds since an arbitrary start, never decreasing.
  func monotonicMilliseconds() -> UInt64
}

/// The operating system's clocks (`CLOCK_REALTIME`, `CLOCK_MONOTONIC`).
public struct SystemTransportClock: TransportClock {
  public init() {}

  public func unixMilliseconds() -> UInt64 { Self.milliseconds(CLOCK_REALTIME) }

  public func monotonicMilliseconds() -> UInt64 { Self.milliseconds(CLOCK_MONOTONIC) }

  private static func milliseconds(_ clock: clockid_t) -> UInt64 {
    var time = timespec()
    precondition(clock_gettime(clock, &time) == 0, "clock_gettime failed")
    return UInt64(time.tv_sec) * 1_000 + UInt64(time.tv_nsec) / 1_000_000
  }
}
