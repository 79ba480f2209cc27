import Simulation
import Testing

struct LinkQueuesTests {
  /// When the copy's last byte reaches the receiver, in whole milliseconds (as the simulator
  /// schedules it).
  func arrival(_ transmission: LinkQueues.Transmission?, latency: UInt64) -> UInt64? {
    transmission.map { $0.endMicroseconds / 1_000 + latency }
  }

  @Test(arguments: [1, 2, 20, 100])
  func messagesSentTogetherArriveOneTransmissionTimeApart(count: Int) {
    let bytes = 400_000
    let bandwidth: UInt64 = 12_500  // 32 ms per message
    let latency: UInt64 = 40
    var queues = LinkQueues(peerCount: 2)
    let arrivals = (1...count).map { _ in
      arrival(
        queues.transmit(bytes: bytes, from: 0, bandwidthBytesPerMillisecond: bandwidth, now: 0),
        latency: latency)
    }
    #expect(arrivals == (1...count).map { UInt64($0) * 32 + latency })
    #expect(queues.queuedMessages(on: 0, now: 0) == count)
    #expect(queues.queuedMessages(on: 0, now: UInt64(count) * 32) == 0)
  }

  @Test func differentSendersDoNotDelayEachOther() {
    var queues = LinkQueues(peerCount: 3)
    for sender in 0..<3 {
      let transmission = queues.transmit(
        bytes: 10_000, from: sender, bandwidthBytesPerMillisecond: 100, now: 5)
      #expect(
        transmission == LinkQueues.Transmission(startMicroseconds: 5_000, endMicroseconds: 105_000))
    }
  }

  @Test func anIdleUplinkStartsAtOnceAndABusyOneAfterTheMessagesBefore() {
    var queues = LinkQueues(peerCount: 1)
    _ = queues.transmit(bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 0)
    let queued = queues.transmit(bytes: 5_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 60)
    #expect(queued?.startMicroseconds == 100_000 && queued?.endMicroseconds == 150_000)
    let idle = queues.transmit(bytes: 5_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 400)
    #expect(idle?.startMicroseconds == 400_000 && idle?.endMicroseconds == 450_000)
  }

  @Test func queuedMessagesAddUpInMicroseconds() {
    var queues = LinkQueues(peerCount: 1)
    var last: LinkQueues.Transmission?
    let bytes = LinkQueues.interleavedMessageBytesMax + 1_000
    for _ in 0..<1_000 {
      last = queues.transmit(bytes: bytes, from: 0, bandwidthBytesPerMillisecond: 12_500, now: 0)
    }
    // 407.68 µs each, rounded up to 408: whole milliseconds would have said 0 or 1 each.
    #expect(last?.endMicroseconds == 408_000)
  }

  @Test func aMessageOfAFewPacketsIsInterleavedNotQueuedBehindAModel() {
    var queues = LinkQueues(peerCount: 1)
    _ = queues.transmit(bytes: 400_000, from: 0, bandwidthBytesPerMillisecond: 12_500, now: 0)
    let heartbeat = queues.transmit(
      bytes: LinkQueues.interleavedMessageBytesMax, from: 0, bandwidthBytesPerMillisecond: 1_024,
      now: 1)
    #expect(heartbeat == LinkQueues.Transmission(startMicroseconds: 1_000, endMicroseconds: 5_000))
    #expect(queues.queuedMessages(on: 0, now: 1) == 1)
    let next = queues.transmit(
      bytes: 400_000, from: 0, bandwidthBytesPerMillisecond: 12_500, now: 1)
    #expect(next?.startMicroseconds == 32_000)
  }

  @Test func aFullUplinkDropsNewMessagesUntilOneLeaves() {
    var queues = LinkQueues(peerCount: 1, uplinkQueueMessagesMax: 3)
    let accepted = (0..<4).map { _ in
      queues.transmit(bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 0)
    }
    #expect(accepted.map { $0 != nil } == [true, true, true, false])
    #expect(queues.queuedMessages(on: 0, now: 0) == 3)
    // The first message has left at 100 ms: there is room for one more, behind the other two.
    let next = queues.transmit(bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 100)
    #expect(next?.startMicroseconds == 300_000)
    #expect(
      queues.transmit(bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 100) == nil)
  }

  @Test func theDefaultBoundHoldsATaskForEachOfTenThousandTrainers() {
    #expect(LinkQueues.uplinkQueueMessagesMax >= 10_000)
    var queues = LinkQueues(peerCount: 1)
    for _ in 0..<LinkQueues.uplinkQueueMessagesMax {
      #expect(
        queues.transmit(bytes: 5_000, from: 0, bandwidthBytesPerMillisecond: 1, now: 0) != nil)
    }
    #expect(queues.transmit(bytes: 5_000, from: 0, bandwidthBytesPerMillisecond: 1, now: 0) == nil)
  }

  @Test func aCrashEmptiesTheUplink() {
    var queues = LinkQueues(peerCount: 1)
    for _ in 0..<5 {
      _ = queues.transmit(bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 0)
    }
    queues.clear(0, now: 150)
    #expect(queues.queuedMessages(on: 0, now: 150) == 0)
    let afterRestart = queues.transmit(
      bytes: 10_000, from: 0, bandwidthBytesPerMillisecond: 100, now: 200)
    #expect(afterRestart?.startMicroseconds == 200_000)
  }

  @Test func theDownlinkTakesSimultaneousArrivalsOneAfterTheOther() {
    var queues = LinkQueues(peerCount: 1)
    // Twenty updates of 32 ms each whose bytes all arrive between 40 and 72 ms.
    let received = (0..<20).map { _ in
      queues.receive(
        bytes: 400_000, at: 0, bandwidthBytesPerMillisecond: 12_500,
        firstByteMicroseconds: 40_000, lastByteMicroseconds: 72_000)
    }
    #expect(received == (1...20).map { 40_000 + UInt64($0) * 32_000 })
  }

  @Test func aLoneMessageIsPacedByTheSlowerSideNotChargedTwice() {
    var queues = LinkQueues(peerCount: 1)
    // Sent in 100 ms on a slow uplink; the downlink alone would have needed 10 ms.
    let received = queues.receive(
      bytes: 10_000, at: 0, bandwidthBytesPerMillisecond: 1_000, firstByteMicroseconds: 0,
      lastByteMicroseconds: 100_000)
    #expect(received == 100_000)
    // A slow downlink paces a message from a fast uplink.
    let slow = queues.receive(
      bytes: 10_000, at: 0, bandwidthBytesPerMillisecond: 10, firstByteMicroseconds: 200_000,
      lastByteMicroseconds: 201_000)
    #expect(slow == 1_200_000)
  }

  @Test func aSlowSenderTricklingInDoesNotHoldUpAFastOne() {
    var queues = LinkQueues(peerCount: 1)
    // Taken in the order the last bytes arrive: the fast message (100-132 ms) first.
    let fast = queues.receive(
      bytes: 400_000, at: 0, bandwidthBytesPerMillisecond: 12_500, firstByteMicroseconds: 100_000,
      lastByteMicroseconds: 132_000)
    let slow = queues.receive(
      bytes: 400_000, at: 0, bandwidthBytesPerMillisecond: 12_500, firstByteMicroseconds: 0,
      lastByteMicroseconds: 3_200_000)
    #expect(fast == 132_000)
    #expect(slow == 3_200_000)
  }
}
