import Foundation
import Identity
import Testing
import Transport
import Wire

/// Two real transports over 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct ZMQTransportTests {
  @Test func twoPeersSayHelloAndExchangeMessagesBothWays() async throws {
    let listener = try TestPeer()
    let dialer = try TestPeer(isListening: false)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    let peer = try await dialer.transport.connect(to: listener.contact)
    #expect(peer == listener.peerID)
    try dialer.transport.send(Array("ping".utf8), to: peer)
    #expect(await listener.collector.waitForCount(1))
    #expect(
      listener.collector.messages.first
        == IncomingMessage(sender: dialer.peerID, bytes: Array("ping".utf8)))
    try listener.transport.send(Array("pong".utf8), to: dialer.peerID)
    #expect(await dialer.collector.waitForCount(1))
    #expect(
      dialer.collector.messages.first
        == IncomingMessage(sender: listener.peerID, bytes: Array("pong".utf8)))
    #expect(!listener.recorder.events.contains { $0.isRefusal })
    #expect(!dialer.recorder.events.contains { $0.isRefusal })
  }
}
