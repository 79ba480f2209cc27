import Coordination

/// Keeps a flood of refused connections from flooding the log: per source (an address), the
/// first `perWindow` refusals of each window are logged one by one; the rest are counted, and
/// one summary line per source says how many when its window closes. At most `sourcesMax`
/// sources are tracked at once; refusals from sources beyond them are counted under one shared
/// source, `*`.
struct RefusalLogLimiter {
  struct Window {
    var start: UInt64
    var logged = 0
    var suppressed = 0
  }

  static let overflowSource = "*"
  let windowMilliseconds: UInt64
  let perWindow: Int
  let sourcesMax: Int
  private(set) var windows: [String: Window] = [:]

  init(windowMilliseconds: UInt64 = 10_000, perWindow: Int = 5, sourcesMax: Int = 1_024) {
    precondition(windowMilliseconds > 0 && perWindow >= 0 && sourcesMax >= 1)
    self.windowMilliseconds = windowMilliseconds
    self.perWindow = perWindow
    self.sourcesMax = sourcesMax
  }

  /// Whether the refusal from `source` at `now` is logged on its own line (otherwise it is
  /// counted for the summary).
  mutating func shouldLog(source: String, now: UInt64) -> Bool {
    var key = source
    if windows[key] == nil, windows.count >= sourcesMax - 1 { key = Self.overflowSource }
    var window = windows[key] ?? Window(start: now)
    defer { windows[key] = window }
    if window.logged < perWindow {
      window.logged += 1
      return true
    }
    window.suppressed += 1
    return false
  }

  /// The sources whose window has closed by `now` with refusals left unlogged, and how many;
  /// closed windows are forgotten.
  mutating func closedWindows(now: UInt64) -> [(source: String, suppressed: Int)] {
    var summaries: [(source: String, suppressed: Int)] = []
    for (source, window) in windows
    where Timestamps.elapsed(from: window.start, to: now) >= windowMilliseconds {
      if window.suppressed > 0 { summaries.append((source, window.suppressed)) }
      windows[source] = nil
    }
    return summaries.sorted { $0.source < $1.source }
  }
}
