import Testing
import Wire

@testable import NodeRuntime

/// The bandwidth probe's three legs, with a scripted clock in nanoseconds.
struct BandwidthProbeTests {
  static let peer = PeerID(simulatedIndex: 1)
  static let other = PeerID(simulatedIndex: 2)

  @Test func threeLegsGiveTheSlowerDirectionLessTheRoundTrip() throws {
    var probe = BandwidthProbe()
    probe.transferBytes = 1_000_000
    #expect(probe.isDue(now: 0))
    #expect(
      probe.start(with: Self.peer, now: 0) == .probe(request: 1, replyBytes: 0, paddingBytes: 0))
    #expect(!probe.isDue(now: 1))
    // Round trip 2 ms; upload leg 12 ms (10 ms of transfer: 100 MB/s); download leg 22 ms
    // (20 ms: 50 MB/s).
    let upload = probe.received(reply: 1, paddingBytes: 0, from: Self.peer, now: 2_000_000)
    #expect(upload.next == .probe(request: 2, replyBytes: 0, paddingBytes: 1_000_000))
    let download = probe.received(reply: 2, paddingBytes: 0, from: Self.peer, now: 14_000_000)
    #expect(download.next == .probe(request: 3, replyBytes: 1_000_000, paddingBytes: 0))
    let done = probe.received(
      reply: 3, paddingBytes: 1_000_000, from: Self.peer, now: 36_000_000)
    let measurement = try #require(done.measurement)
    #expect(done.next == nil)
    #expect(measurement.roundTripNanoseconds == 2_000_000)
    #expect(abs(measurement.uploadBytesPerSecond - 100e6) < 1)
    #expect(abs(measurement.downloadBytesPerSecond - 50e6) < 1)
    #expect(measurement.bytesPerSecond == measurement.downloadBytesPerSecond)
    // Due again only after the remeasure interval.
    #expect(!probe.isDue(now: 36_000_000 + probe.remeasureNanoseconds - 1))
    #expect(probe.isDue(now: 36_000_000 + probe.remeasureNanoseconds))
  }

  @Test func aReplyFromAnotherPeerOrForAnotherRequestChangesNothing() {
    var probe = BandwidthProbe()
    _ = probe.start(with: Self.peer, now: 0)
    #expect(probe.received(reply: 1, paddingBytes: 0, from: Self.other, now: 5) == (nil, nil))
    #expect(probe.received(reply: 7, paddingBytes: 0, from: Self.peer, now: 5) == (nil, nil))
    #expect(probe.pending?.leg == .roundTrip)
  }

  @Test func anOverdueOrOrphanedProbeIsAbandonedAndCanStartAgain() {
    var probe = BandwidthProbe()
    let timeout = probe.timeoutNanoseconds
    _ = probe.start(with: Self.peer, now: 0)
    let early = probe.abandon(now: timeout - 1, disconnected: { _ in false })
    let overdue = probe.abandon(now: timeout, disconnected: { _ in false })
    #expect(!early && overdue)
    #expect(probe.isDue(now: timeout))
    _ = probe.start(with: Self.peer, now: 0)
    let orphaned = probe.abandon(now: 1, disconnected: { $0 == Self.peer })
    #expect(orphaned)
  }

  @Test func aClockThatStepsBackDoesNotTrap() throws {
    var probe = BandwidthProbe()
    _ = probe.start(with: Self.peer, now: 1_000)
    _ = probe.received(reply: 1, paddingBytes: 0, from: Self.peer, now: 10)
    _ = probe.received(reply: 2, paddingBytes: 0, from: Self.peer, now: 5)
    let done = probe.received(reply: 3, paddingBytes: 64, from: Self.peer, now: 0)
    let measurement = try #require(done.measurement)
    #expect(measurement.bytesPerSecond.isFinite && measurement.bytesPerSecond > 0)
  }

  @Test func answersAreLimitedPerPeerPerWindow() {
    var limit = ProbeAnswerLimit()
    limit.perWindow = 2
    let window = limit.windowNanoseconds
    let answers = [
      limit.admit(Self.peer, now: 0), limit.admit(Self.peer, now: 1),
      limit.admit(Self.peer, now: 2), limit.admit(Self.other, now: 2),
      limit.admit(Self.peer, now: window),
    ]
    #expect(answers == [true, true, false, true, true])
  }
}
