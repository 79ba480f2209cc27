import Foundation
import Identity
import Synchronization
import Testing
import Transport
import Wire

/// Real transports over loopback: hellos, messages both ways, large payloads, the send API's
/// refusals, reconnection.
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
    for index in 0..<100 { try dialer.transport.send([UInt8(index)], to: peer) }
    #expect(await listener.collector.waitForCount(100))
    #expect(listener.collector.messages.map(\.bytes) == (0..<100).map { [UInt8($0)] })
    #expect(listener.collector.messages.allSatisfy { $0.sender == dialer.peerID })
    try listener.transport.send(Array("pong".utf8), to: dialer.peerID)
    #expect(await dialer.collector.waitForCount(1))
    #expect(
      dialer.collector.messages == [
        IncomingMessage(sender: listener.peerID, bytes: Array("pong".utf8))
      ])
    #expect(!listener.recorder.events.contains { $0.isRefusal })
    #expect(!dialer.recorder.events.contains { $0.isRefusal })
    #expect(
      listener.recorder.events.contains(
        .peerConnected(dialer.peerID, direction: .inbound, address: "127.0.0.1")))
  }

  @Test func aTwentyMegabytePayloadTravelsInChunksBothWays() async throws {
    let listener = try TestPeer()
    let dialer = try TestPeer(isListening: false)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    let peer = try await dialer.transport.connect(to: listener.contact)
    // A random block of a length that does not divide the chunk size, repeated: every chunk
    // differs from the others, so a lost, repeated or swapped chunk changes the message.
    var generator = SystemRandomNumberGenerator()
    let block = (0..<65_537).map { _ in UInt8.random(in: 0...255, using: &generator) }
    var payload: [UInt8] = []
    payload.reserveCapacity(20_000_000 + block.count)
    while payload.count < 20_000_000 { payload.append(contentsOf: block) }
    payload.removeLast(payload.count - 20_000_000)
    try dialer.transport.send(payload, to: peer)
    try dialer.transport.send([1, 2, 3], to: peer)
    #expect(await listener.collector.waitForCount(2, within: 20_000))
    #expect(listener.collector.messages.first?.bytes == payload)
    #expect(listener.collector.messages.last?.bytes == [1, 2, 3])
    try listener.transport.send(payload, to: dialer.peerID)
    #expect(await dialer.collector.waitForCount(1, within: 20_000))
    #expect(dialer.collector.messages.first?.bytes == payload)
  }

  @Test func aMessageOfExactlyTheBoundIsSentAndOneBytePastIsRefused() async throws {
    var limits = testLimits
    limits.messageBytesMax = (2 << 20) + 5
    let listener = try TestPeer(limits: limits)
    let dialer = try TestPeer(isListening: false, limits: limits)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    let peer = try await dialer.transport.connect(to: listener.contact)
    try dialer.transport.send([UInt8](repeating: 9, count: limits.messageBytesMax), to: peer)
    #expect(
      throws: TransportError.messageTooLarge(
        byteCount: limits.messageBytesMax + 1, maximum: limits.messageBytesMax)
    ) {
      try dialer.transport.send([UInt8](repeating: 9, count: limits.messageBytesMax + 1), to: peer)
    }
    #expect(await listener.collector.waitForCount(1))
    #expect(listener.collector.messages.first?.bytes.count == limits.messageBytesMax)
  }

  @Test func theSendQueueIsBoundedPerPeer() async throws {
    var limits = testLimits
    limits.outgoingBytesPerPeerMax = 1_000
    let listener = try TestPeer()
    let dialer = try TestPeer(isListening: false, limits: limits)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    let peer = try await dialer.transport.connect(to: listener.contact)
    #expect(throws: TransportError.outgoingQueueFull(queuedBytes: 0, maximum: 1_000)) {
      try dialer.transport.send([UInt8](repeating: 0, count: 1_001), to: peer)
    }
    try dialer.transport.send([UInt8](repeating: 0, count: 1_000), to: peer)
    #expect(await listener.collector.waitForCount(1))
  }

  @Test func sendingToAnUnknownPeerOrAfterCloseIsRefused() throws {
    let peer = try TestPeer(isListening: false)
    let stranger = PeerID(publicKey: SigningKeyPair.generate().publicKey)
    #expect(throws: TransportError.unknownPeer(stranger)) {
      try peer.transport.send([1], to: stranger)
    }
    peer.transport.close()
    peer.transport.close()
    #expect(throws: TransportError.closed) { try peer.transport.send([1], to: stranger) }
  }

  @Test func dialingANonListeningPortTimesOut() async throws {
    var limits = testLimits
    limits.connectTimeoutMilliseconds = 300
    let dialer = try TestPeer(isListening: false, limits: limits)
    defer { dialer.transport.close() }
    // A port that was just free: bind a listener to port 0, note the port, close it.
    let probe = try TestPeer()
    let contact = probe.contact
    probe.transport.close()
    await #expect(throws: TransportError.connectTimedOut(contact: contact)) {
      try await dialer.transport.connect(to: contact)
    }
  }

  @Test func aContactWithAnotherKeyNeverReachesTheListener() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let impostorKey = CurvePublicKey(bytes: SigningKeyPair.generate().curvePublicKeyBytes)!
    let wrongContact = Contact(curveKey: impostorKey, address: listener.contact.address)
    var limits = testLimits
    limits.connectTimeoutMilliseconds = 1_000
    let dialer = try TestPeer(isListening: false, limits: limits)
    defer { dialer.transport.close() }
    await #expect(throws: TransportError.self) {
      try await dialer.transport.connect(to: wrongContact)
    }
    #expect(
      !listener.recorder.events.contains { if case .peerConnected = $0 { true } else { false } })
  }

  @Test func peersTalkOverIPv6Loopback() async throws {
    let listener = try TestPeer(listenAddress: "[::1]:0")
    let dialer = try TestPeer(isListening: false)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    #expect(listener.contact.address.hostKind == .ipv6)
    let peer = try await dialer.transport.connect(
      to: Contact(parsing: listener.contact.description))
    try dialer.transport.send([6], to: peer)
    #expect(await listener.collector.waitForCount(1))
  }

  @Test func aDialerReconnectsAndSaysHelloAgainWhenTheListenerRestarts() async throws {
    let keyPair = SigningKeyPair.generate()
    let first = try TestPeer(keyPair: keyPair)
    let dialer = try TestPeer(isListening: false)
    defer { dialer.transport.close() }
    let peer = try await dialer.transport.connect(to: first.contact)
    first.transport.close()
    #expect(await dialer.recorder.waitFor { $0 == .peerDisconnected(peer, direction: .outbound) })
    try dialer.transport.send(Array("queued while away".utf8), to: peer)
    let second = try TestPeer(
      listenAddress: first.contact.address.description, keyPair: keyPair)
    defer { second.transport.close() }
    #expect(await second.collector.waitForCount(1, within: 10_000))
    #expect(second.collector.messages.first?.bytes == Array("queued while away".utf8))
    try second.transport.send([2], to: dialer.peerID)
    #expect(await dialer.collector.waitForCount(1))
  }

  @Test func aListenerServesSeveralDialersAndRepliesToEach() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    var dialers: [TestPeer] = []
    for _ in 0..<4 { dialers.append(try TestPeer(isListening: false)) }
    defer { for dialer in dialers { dialer.transport.close() } }
    for dialer in dialers {
      let peer = try await dialer.transport.connect(to: listener.contact)
      try dialer.transport.send(Array(dialer.peerID.hexadecimal.utf8), to: peer)
    }
    #expect(await listener.collector.waitForCount(4))
    for message in listener.collector.messages {
      #expect(message.bytes == Array(message.sender.hexadecimal.utf8))
      try listener.transport.send(message.bytes, to: message.sender)
    }
    for dialer in dialers {
      #expect(await dialer.collector.waitForCount(1))
      #expect(dialer.collector.messages.first?.bytes == Array(dialer.peerID.hexadecimal.utf8))
    }
  }

  @Test func connectingTwiceReturnsTheSamePeer() async throws {
    let listener = try TestPeer()
    let dialer = try TestPeer(isListening: false)
    defer {
      dialer.transport.close()
      listener.transport.close()
    }
    async let first = dialer.transport.connect(to: listener.contact)
    async let second = dialer.transport.connect(to: listener.contact)
    let peers = try await [first, second]
    #expect(peers == [listener.peerID, listener.peerID])
    #expect(try await dialer.transport.connect(to: listener.contact) == listener.peerID)
  }

  @Test func aFullListenerForgetsItsQuietestPeerWhichSaysHelloAgainWhenItNextSpeaks() async throws {
    var limits = testLimits
    limits.inboundPeersMax = 1
    let listener = try TestPeer(limits: limits)
    let first = try TestPeer(isListening: false)
    let second = try TestPeer(isListening: false)
    defer {
      first.transport.close()
      second.transport.close()
      listener.transport.close()
    }
    let peer = try await first.transport.connect(to: listener.contact)
    _ = try await second.transport.connect(to: listener.contact)
    #expect(
      await listener.recorder.waitFor { $0 == .peerDisconnected(first.peerID, direction: .inbound) }
    )
    // The first message finds the connection forgotten and is lost; the listener asks for a
    // hello, the dialer says it again, and what follows gets through.
    try first.transport.send(Array("lost".utf8), to: peer)
    #expect(
      await first.recorder.waitFor {
        $0 == .peerDisconnected(listener.peerID, direction: .outbound)
      })
    #expect(
      await eventually {
        first.recorder.events.filter {
          $0
            == .peerConnected(
              listener.peerID, direction: .outbound, address: listener.contact.address.description)
        }.count == 2
      })
    try first.transport.send(Array("after".utf8), to: peer)
    #expect(await listener.collector.waitForCount(1))
    #expect(
      listener.collector.messages == [
        IncomingMessage(sender: first.peerID, bytes: Array("after".utf8))
      ])
  }

  @Test func closingFromTheEventHandlerDoesNotWaitForItself() async throws {
    let box = Mutex<ZMQTransport?>(nil)
    let recorder = EventRecorder()
    let transport = try ZMQTransport(
      keyPair: .generate(), projectID: testProject,
      listenAddress: try NetworkAddress(parsing: "127.0.0.1:0"), limits: testLimits,
      eventHandler: { event in
        recorder.handler(event)
        if case .peerConnected = event { box.withLock { $0 }?.close() }
      })
    box.withLock { $0 = transport }
    var limits = testLimits
    limits.connectTimeoutMilliseconds = 300  // The listener closes before it answers.
    let dialer = try TestPeer(isListening: false, limits: limits)
    defer { dialer.transport.close() }
    _ = try? await dialer.transport.connect(to: transport.contact!)
    #expect(
      await eventually {
        (try? transport.send([1], to: dialer.peerID)) == nil
          && recorder.events.contains { if case .peerConnected = $0 { true } else { false } }
      })
    #expect(throws: TransportError.closed) { try transport.send([1], to: dialer.peerID) }
    box.withLock { $0 = nil }
    transport.close()
  }

  @Test func listeningOnAnAddressInUseFailsWithTheAddress() throws {
    let first = try TestPeer()
    defer { first.transport.close() }
    #expect {
      try TestPeer(listenAddress: first.contact.address.description)
    } throws: { error in
      if case .bindFailed(let address, _) = error as? TransportError {
        address == first.contact.address
      } else {
        false
      }
    }
  }

  @Test func aSlowReaderSlowsTheSenderDownAndLosesNothing() async throws {
    var limits = testLimits
    limits.incomingMessagesMax = 4
    let recorder = EventRecorder()
    let listener = try ZMQTransport(
      keyPair: .generate(), projectID: testProject,
      listenAddress: try NetworkAddress(parsing: "127.0.0.1:0"), limits: limits,
      eventHandler: recorder.handler)
    let dialer = try TestPeer(isListening: false)
    defer {
      dialer.transport.close()
      listener.close()
    }
    let peer = try await dialer.transport.connect(to: listener.contact!)
    for index in 0..<200 { try dialer.transport.send([UInt8(index)], to: peer) }
    try await Task.sleep(for: .milliseconds(200))  // Nobody reads meanwhile.
    var received: [UInt8] = []
    for await message in listener.incoming {
      received += message.bytes
      if received.count == 200 { break }
    }
    #expect(received == (0..<200).map { UInt8($0) })
    #expect(!recorder.events.contains { $0.isRefusal })
  }
}
