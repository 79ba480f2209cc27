import Testing

@testable import Configuration

@Suite struct IntervalTests {
  @Test func closedContainsBothEnds() {
    let interval = Interval.closed(0, 1)
    #expect(interval.contains(0) && interval.contains(1))
    #expect(!interval.contains(-Double.leastNonzeroMagnitude) && !interval.contains(1.nextUp))
  }

  @Test func openEndsAreExcluded() {
    #expect(!Interval.upperOpen(0, 1).contains(1) && Interval.upperOpen(0, 1).contains(1.nextDown))
    #expect(
      !Interval.lowerOpen(0, 1).contains(0)
        && Interval.lowerOpen(0, 1).contains(.leastNonzeroMagnitude))
  }

  @Test func nanIsInNoInterval() {
    #expect(!Interval.closed(-1e300, 1e300).contains(.nan))
  }

  @Test func descriptionsUseIntervalNotation() {
    #expect(Interval.closed(0, 1).description == "[0, 1]")
    #expect(Interval.upperOpen(0, 1).description == "[0, 1)")
    #expect(Interval.lowerOpen(0, 1_000_000).description == "(0, 1000000]")
    #expect(Interval.closed(0.5, 1e20).description == "[0.5, 1e+20]")
    #expect((1...65_536).intervalDescription == "[1, 65536]")
  }
}
