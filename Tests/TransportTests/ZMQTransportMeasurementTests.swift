import Foundation
import Identity
import Testing
import Transport
import Wire

/// Loopback latency and throughput, printed and never asserted (STYLE: figures live with the
/// command that reproduces them). Off by default; run with
/// `STARLING_TRANSPORT_MEASURE=1 swift test -c release -Xswiftc -enable-testing --filter ZMQTransportMeasurementTests`.
@Suite(
  .enabled(if: ProcessInfo.processInfo.environment["STARLING_TRANSPORT_MEASURE"] != nil),
  .timeLimit(.minutes(5)), .serialized)
struct ZMQTransportMeasurementTests {
  /// A listener that echoes every message back, and a dialer connected to it.
  func echoPair(limits: TransportLimits = .default) async throws -> (
    listener: ZMQTransport, dialer: ZMQTransport, peer: PeerID
  ) {
    let listener = try ZMQTransport(
      keyPair: .generate(), projectID: testProject,
      listenAddress: try NetworkAddress(parsing: "127.0.0.1:0"), limits: limits,
      eventHandler: { _ in })
    let dialer = try ZMQTransport(
      keyPair: .generate(), projectID: testProject, limits: limits, eventHandler: { _ in })
    let peer = try await dialer.connect(to: listener.contact!)
    return (listener, dialer, peer)
  }

  @Test func roundTripLatencyOfSmallMessages() async throws {
    let (listener, dialer, peer) = try await echoPair()
    defer {
      dialer.close()
      listener.close()
    }
    let echo = Task {
      for await message in listener.incoming {
        try? listener.send(message.bytes, to: message.sender)
      }
    }
    defer { echo.cancel() }
    var replies = dialer.incoming.makeAsyncIterator()
    let payload = [UInt8](repeating: 7, count: 64)
    var samples: [Duration] = []
    for index in 0..<3_000 {
      let start = ContinuousClock.now
      try dialer.send(payload, to: peer)
      _ = await replies.next()
      if index >= 500 { samples.append(ContinuousClock.now - start) }  // After a warm-up.
    }
    samples.sort()
    func microseconds(_ duration: Duration) -> Double {
      Double(duration.components.attoseconds) / 1e12 + Double(duration.components.seconds) * 1e6
    }
    print(
      "transport round trip, 64 bytes, \(samples.count) samples: median "
        + "\(microseconds(samples[samples.count / 2])) us, p99 "
        + "\(microseconds(samples[samples.count * 99 / 100])) us")
  }

  @Test(arguments: [1_024, 1 << 20, 16 << 20])
  func oneWayThroughput(messageBytes: Int) async throws {
    let (listener, dialer, peer) = try await echoPair()
    defer {
      dialer.close()
      listener.close()
    }
    let totalBytes = 1 << 30
    let count = totalBytes / messageBytes
    let payload = [UInt8](repeating: 3, count: messageBytes)
    var received = listener.incoming.makeAsyncIterator()
    let start = ContinuousClock.now
    let sender = Task {
      var sent = 0
      while sent < count {
        do {
          try dialer.send(payload, to: peer)
          sent += 1
        } catch {
          try? await Task.sleep(for: .milliseconds(1))  // The send queue is full.
        }
      }
    }
    for _ in 0..<count { _ = await received.next() }
    let elapsed = ContinuousClock.now - start
    _ = await sender.value
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
      "transport one way, \(count) messages of \(messageBytes) bytes: "
        + "\(Double(totalBytes) / seconds / 1e6) MB/s, \(Double(count) / seconds) messages/s")
  }
}
