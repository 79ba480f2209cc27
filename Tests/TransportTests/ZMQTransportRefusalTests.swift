import Identity
import Testing
import Transport
import Wire

/// Peers that misbehave, each refused for its own reason while an honest peer keeps working.
@Suite(.timeLimit(.minutes(1)))
struct ZMQTransportRefusalTests {
  @Test func aPeerOfAnotherProjectIsRefused() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let stranger = try TestPeer(isListening: false, project: otherProject)
    defer { stranger.transport.close() }
    await #expect(throws: TransportError.refusedByPeer(contact: listener.contact, code: 4)) {
      try await stranger.transport.connect(to: listener.contact)
    }
    #expect(
      await listener.recorder.waitFor {
        if case .helloRefused(.wrongProject(otherProject), .inbound, _) = $0 { true } else { false }
      })
    try await expectHonestExchange(with: listener)
    #expect(!listener.collector.messages.contains { $0.sender == stranger.peerID })
  }

  @Test func aPeerWhoseClockIsTenMinutesBehindIsRefused() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let late = try TestPeer(isListening: false, clock: OffsetClock(offsetMilliseconds: -600_000))
    defer { late.transport.close() }
    await #expect(throws: TransportError.refusedByPeer(contact: listener.contact, code: 7)) {
      try await late.transport.connect(to: listener.contact)
    }
    #expect(
      await listener.recorder.waitFor {
        if case .helloRefused(.staleTimestamp, .inbound, _) = $0 { true } else { false }
      })
    try await expectHonestExchange(with: listener)
  }

  @Test func aBadSignatureIsRefusedAndNothingElseFromTheConnectionIsDelivered() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let attacker = SigningKeyPair.generate()
    let client = RawClient(connectingTo: listener.contact, keyPair: attacker)
    var hello = Hello(
      signedBy: attacker, projectID: testProject,
      timestampMilliseconds: SystemTransportClock().unixMilliseconds()
    ).wireBytes
    hello[120] ^= 0xFF
    #expect(client.send(hello))
    #expect(client.receive() == [3, HelloRefusal.Code.badSignature.rawValue])
    #expect(client.send(chunkFrame(Array("smuggled".utf8), number: 0)))
    #expect(
      await listener.recorder.waitFor {
        if case .helloRefused(.badSignature, .inbound, "127.0.0.1") = $0 { true } else { false }
      })
    try await expectHonestExchange(with: listener)
    #expect(listener.collector.messages.count == 1)
  }

  @Test func anotherPeersHelloOnThisConnectionIsAKeyMismatch() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let attacker = SigningKeyPair.generate()
    let victim = SigningKeyPair.generate()
    let client = RawClient(connectingTo: listener.contact, keyPair: attacker)
    let victimHello = Hello(
      signedBy: victim, projectID: testProject,
      timestampMilliseconds: SystemTransportClock().unixMilliseconds())
    #expect(client.send(victimHello.wireBytes))
    #expect(client.receive() == [3, HelloRefusal.Code.keyMismatch.rawValue])
    let attackerKey = CurvePublicKey(bytes: attacker.curvePublicKeyBytes)!
    #expect(
      await listener.recorder.waitFor {
        $0
          == .helloRefused(
            .keyMismatch(helloKey: victimHello.curveKey, connectionKey: attackerKey),
            direction: .inbound, address: "127.0.0.1")
      })
    #expect(client.send(chunkFrame([1], number: 0)))
    try await expectHonestExchange(with: listener)
    #expect(
      !listener.collector.messages.contains { $0.sender == PeerID(publicKey: victim.publicKey) })
  }

  @Test func messagesBeforeTheHelloAreDroppedAndAValidHelloThenOpensTheConnection() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let keyPair = SigningKeyPair.generate()
    let client = RawClient(connectingTo: listener.contact, keyPair: keyPair)
    #expect(client.send(chunkFrame(Array("early".utf8), number: 0)))
    #expect(client.receive() == [3, HelloRefusal.Code.expectedHello.rawValue])
    #expect(
      await listener.recorder.waitFor {
        $0 == .helloRefused(.expectedHello(kind: 2), direction: .inbound, address: "127.0.0.1")
      })
    let hello = Hello(
      signedBy: keyPair, projectID: testProject,
      timestampMilliseconds: SystemTransportClock().unixMilliseconds())
    #expect(client.send(hello.wireBytes))
    let reply = try #require(client.receive())
    #expect(try Hello(frame: reply).signingKey == listener.keyPair.publicKey)
    #expect(client.send(chunkFrame(Array("after".utf8), number: 0)))
    #expect(await listener.collector.waitForCount(1))
    #expect(
      listener.collector.messages
        == [
          IncomingMessage(sender: PeerID(publicKey: keyPair.publicKey), bytes: Array("after".utf8))
        ])
  }

  @Test func aPlaintextZeroMQClientIsRefused() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let client = RawClient(connectingTo: listener.contact, keyPair: nil)
    _ = client.send(Array("plaintext".utf8))
    #expect(
      await listener.recorder.waitFor {
        if case .handshakeFailed(.inbound, _, _) = $0 { true } else { false }
      })
    try await expectHonestExchange(with: listener)
    #expect(listener.collector.messages.count == 1)
  }

  @Test func aClientTheAdmissionPolicyRefusesNeverGetsAMessageDelivered() async throws {
    let banned = SigningKeyPair.generate()
    let bannedKey = CurvePublicKey(bytes: banned.curvePublicKeyBytes)!
    let listener = try TestPeer(
      admission: AdmissionPolicy { request in
        request.curveKey == bannedKey ? .refuse(.custom("on the ban list")) : .admit
      })
    defer { listener.transport.close() }
    let dialer = try TestPeer(isListening: false, keyPair: banned)
    defer { dialer.transport.close() }
    await #expect {
      try await dialer.transport.connect(to: listener.contact)
    } throws: { error in
      if case .authenticationFailed(_, 400) = error as? TransportError { true } else { false }
    }
    let raw = RawClient(connectingTo: listener.contact, keyPair: banned)
    _ = raw.send(
      Hello(
        signedBy: banned, projectID: testProject,
        timestampMilliseconds: SystemTransportClock().unixMilliseconds()
      )
      .wireBytes)
    _ = raw.send(chunkFrame([1, 2, 3], number: 0))
    #expect(raw.receive(within: 500) == nil)
    #expect(
      await listener.recorder.waitFor {
        $0
          == .admissionRefused(
            AdmissionRequest(address: "127.0.0.1", curveKey: bannedKey),
            reason: .custom("on the ban list"))
      })
    try await expectHonestExchange(with: listener)
    #expect(!listener.collector.messages.contains { $0.sender == dialer.peerID })
  }

  @Test func rawTCPGarbageAndSilenceDoNotDisturbService() async throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let garbage = RawTCPClient(port: listener.contact.address.port)
    let silent = RawTCPClient(port: listener.contact.address.port)
    garbage.send((0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
    try await expectHonestExchange(with: listener)
    #expect(garbage.isClosedByServer(within: 5_000))
    // The handshake timeout (1 s here) ends a connection that never speaks.
    #expect(silent.isClosedByServer(within: 5_000))
    try await expectHonestExchange(with: listener)
    #expect(listener.collector.messages.count == 2)
  }

  @Test func anOversizedFrameOrMessageIsDropped() async throws {
    var limits = testLimits
    limits.messageBytesMax = 3 << 20
    let listener = try TestPeer(limits: limits)
    defer { listener.transport.close() }
    let keyPair = SigningKeyPair.generate()
    let client = RawClient(connectingTo: listener.contact, keyPair: keyPair)
    let hello = Hello(
      signedBy: keyPair, projectID: testProject,
      timestampMilliseconds: SystemTransportClock().unixMilliseconds())
    #expect(client.send(hello.wireBytes))
    #expect(client.receive() != nil)
    // A chunk announcing a message one byte past the receiver's bound.
    let header = ChunkHeader(messageNumber: 0, messageBytes: (3 << 20) + 1, chunkIndex: 0)
    #expect(client.send(header.encoded + [UInt8](repeating: 1, count: ChunkHeader.payloadBytesMax)))
    #expect(
      await listener.recorder.waitFor {
        $0
          == .messageDropped(
            .chunk(.messageTooLarge(messageBytes: (3 << 20) + 1, maximum: 3 << 20)),
            direction: .inbound,
            peer: PeerID(publicKey: keyPair.publicKey))
      })
    // A frame one byte past the largest chunk: libzmq drops the connection before buffering it.
    #expect(client.send([2] + [UInt8](repeating: 0, count: transportFrameBytesMax)))
    #expect(client.send(chunkFrame([1], number: 1)))
    try await expectHonestExchange(with: listener)
    // Had the connection lived, message 1 would have been delivered and the large frame
    // reported as malformed.
    #expect(listener.collector.messages.count == 1)
    #expect(
      !listener.collector.messages.contains { $0.sender == PeerID(publicKey: keyPair.publicKey) })
    #expect(
      !listener.recorder.events.contains {
        if case .messageDropped(.malformedFrame, _, _) = $0 { true } else { false }
      })
  }
}
