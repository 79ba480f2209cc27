/// Arithmetic on millisecond timestamps that never traps.
///
/// A real clock does not start at 0, can step backwards (an NTP correction, a suspended laptop),
/// and a timestamp heard from a peer can be anything. So a duration since a past instant is 0
/// when that instant lies in the future, and a deadline saturates instead of overflowing. Every
/// subtraction or addition of a timestamp in the protocol core goes through here.
public enum Timestamps {
  /// Milliseconds from `start` to `now`; 0 when the clock stepped back past `start`.
  @inlinable
  public static func elapsed(from start: UInt64, to now: UInt64) -> UInt64 {
    now >= start ? now - start : 0
  }

  /// `time` plus `duration`, saturating at `UInt64.max`.
  @inlinable
  /// `time - duration`, or 0 when the duration reaches back before the clock's start.
  public static func subtracting(_ duration: UInt64, from time: UInt64) -> UInt64 {
    time >= duration ? time - duration : 0
  }

  public static func adding(_ duration: UInt64, to time: UInt64) -> UInt64 {
    let (sum, overflow) = time.addingReportingOverflow(duration)
    return overflow ? .max : sum
  }
}
