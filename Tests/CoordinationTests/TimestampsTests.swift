import Coordination
import Testing
import Wire

@Suite struct TimestampsTests {
  @Test func elapsedIsZeroWhenTheClockSteppedBack() {
    #expect(Timestamps.elapsed(from: 1_000, to: 1_500) == 500)
    #expect(Timestamps.elapsed(from: 1_500, to: 1_000) == 0)
    #expect(Timestamps.elapsed(from: .max, to: 0) == 0)
  }

  @Test func deadlinesSaturateInsteadOfOverflowing() {
    #expect(Timestamps.adding(500, to: 1_000) == 1_500)
    #expect(Timestamps.adding(500, to: .max - 10) == .max)
    #expect(Timestamps.adding(.max, to: .max) == .max)
  }

  /// A council on a real clock (milliseconds since 1970) whose clock steps back a minute and
  /// then jumps far ahead keeps one leader and never traps.
  @Test func aCouncilSurvivesARealClockThatStepsBackAndJumps() throws {
    var network = CouncilNetwork(memberCount: 3, seed: 3)
    network.now = 1_764_000_000_000
    let settled = network.settleLeader()
    #expect(settled != nil)
    network.now -= 60_000
    for _ in 0..<40 {
      network.tickAll(advancing: 100)
      network.deliverAll()
    }
    network.now = UInt64.max - 1_000
    for _ in 0..<5 {
      network.tickAll(advancing: 100)
      network.deliverAll()
    }
    #expect(network.violations.isEmpty, "\(network.violations)")
    #expect(network.leaders.count <= 1)
  }
}
