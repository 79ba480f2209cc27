import Testing

@testable import NodeRuntime

/// The per-source limit on refusal log lines, with a scripted clock in milliseconds.
struct RefusalLogLimiterTests {
  @Test func logsTheFirstRefusalsOfAWindowAndCountsTheRest() {
    var limiter = RefusalLogLimiter(windowMilliseconds: 1_000, perWindow: 3, sourcesMax: 16)
    let logged = (0..<10).map { limiter.shouldLog(source: "127.0.0.2", now: 5_000 + UInt64($0)) }
    #expect(logged == [true, true, true] + Array(repeating: false, count: 7))
    // Another source has its own window.
    let otherLogged = limiter.shouldLog(source: "127.0.0.3", now: 5_010)
    #expect(otherLogged)
    // Before the window closes nothing is summarised; after, the seven counted ones are, once.
    let early = limiter.closedWindows(now: 5_500)
    #expect(early.isEmpty)
    let summaries = limiter.closedWindows(now: 6_000)
    #expect(summaries.map(\.source) == ["127.0.0.2"])
    #expect(summaries.map(\.suppressed) == [7])
    // The other source's window closes 10 ms later, with nothing to summarise.
    let later = limiter.closedWindows(now: 6_010)
    #expect(later.isEmpty)
    #expect(limiter.windows.isEmpty)
    // A new window logs again.
    let again = limiter.shouldLog(source: "127.0.0.2", now: 6_011)
    #expect(again)
  }

  @Test func sourcesBeyondTheLimitShareOneWindow() {
    var limiter = RefusalLogLimiter(windowMilliseconds: 1_000, perWindow: 1, sourcesMax: 4)
    for index in 0..<100 {
      _ = limiter.shouldLog(source: "10.0.0.\(index)", now: 0)
    }
    #expect(limiter.windows.count == 4)
    #expect(limiter.windows[RefusalLogLimiter.overflowSource]?.suppressed == 96)
    let summaries = limiter.closedWindows(now: 1_000)
    #expect(summaries.map(\.source) == [RefusalLogLimiter.overflowSource])
  }

  @Test func aClockThatStepsBackNeverTraps() {
    var limiter = RefusalLogLimiter(windowMilliseconds: 1_000, perWindow: 0, sourcesMax: 4)
    let logged = limiter.shouldLog(source: "a", now: .max)
    #expect(!logged)
    let afterStepBack = limiter.closedWindows(now: 0)
    #expect(afterStepBack.isEmpty)
    let atStart = limiter.closedWindows(now: .max)
    #expect(atStart.isEmpty)
    #expect(limiter.windows["a"]?.suppressed == 1)
  }
}
