import Identity
import Testing
import Wire

@testable import Transport

/// One connection's protocol without sockets: hello first, then chunks.
struct ConnectionSessionTests {
  let peer = SigningKeyPair.generate()
  var peerCurveKey: CurvePublicKey { CurvePublicKey(bytes: peer.curvePublicKeyBytes)! }
  let now: UInt64 = 1_800_000_000_000
  let policy = ConnectionSession.HelloPolicy(
    projectID: testProject, clockSkewMillisecondsMax: 1_000, attemptsMax: 2)

  func receive(_ frame: [UInt8], on session: inout ConnectionSession) -> [ConnectionSession.Action]
  {
    frame.withUnsafeBytes { bytes in
      session.receive(
        bytes, connectionKey: peerCurveKey, policy: policy, nowUnixMilliseconds: now,
        nowMonotonicMilliseconds: 0, availableReassemblyBytes: .max)
    }
  }

  func hello(project: ProjectID = testProject, timestamp: UInt64? = nil) -> [UInt8] {
    Hello(signedBy: peer, projectID: project, timestampMilliseconds: timestamp ?? now).wireBytes
  }

  @Test func nothingIsDeliveredBeforeAValidHello() {
    var session = ConnectionSession(direction: .inbound, messageBytesMax: 1_000)
    #expect(
      receive(chunkFrame([1, 2], number: 0), on: &session) == [
        .refuseHello(.expectedHello(kind: 2))
      ])
    #expect(receive(chunkFrame([3], number: 1), on: &session) == [])  // Asked once.
    #expect(session.state == .awaitingHello(attempts: 0))
    let actions = receive(hello(), on: &session)
    let peerID = PeerID(publicKey: peer.publicKey)
    #expect(actions.count == 1)
    guard case .established(peerID, _) = actions.first else {
      Issue.record("expected the hello to be accepted, got \(actions)")
      return
    }
    #expect(
      receive(chunkFrame([4, 5], number: 0), on: &session)
        == [.deliver(IncomingMessage(sender: peerID, bytes: [4, 5]))])
    #expect(receive(hello(), on: &session) == [.drop(.repeatedHello)])
    #expect(receive([9], on: &session) == [.drop(.unknownFrameKind(9))])
  }

  @Test func aConnectionThatGetsItsHelloWrongTooOftenIsIgnored() {
    var session = ConnectionSession(direction: .inbound, messageBytesMax: 1_000)
    #expect(
      receive(hello(project: otherProject), on: &session) == [
        .refuseHello(.wrongProject(found: otherProject))
      ])
    #expect(session.state == .awaitingHello(attempts: 1))
    let stale = now - 1_001
    #expect(
      receive(hello(timestamp: stale), on: &session)
        == [.refuseHello(.staleTimestamp(timestampMilliseconds: stale, nowMilliseconds: now))])
    #expect(session.state == .refused)
    #expect(receive(hello(), on: &session) == [])
  }

  @Test func aListenersRefusalEndsAnOutboundSession() {
    var session = ConnectionSession(direction: .outbound, messageBytesMax: 1_000)
    #expect(receive([3, 4], on: &session) == [.refusedByPeer(code: 4)])
    var inbound = ConnectionSession(direction: .inbound, messageBytesMax: 1_000)
    #expect(receive([3, 4], on: &inbound) == [.refuseHello(.expectedHello(kind: 3))])
  }

  @Test func aListenerThatForgotTheConnectionGetsAnotherHello() {
    var session = ConnectionSession(direction: .outbound, messageBytesMax: 1_000)
    _ = receive(hello(), on: &session)
    #expect(session.isEstablished)
    #expect(
      receive([3, HelloRefusal.Code.expectedHello.rawValue], on: &session) == [.helloRequested])
    #expect(
      receive([3, HelloRefusal.Code.badSignature.rawValue], on: &session) == [
        .drop(.unknownFrameKind(3))
      ])
    var inbound = ConnectionSession(direction: .inbound, messageBytesMax: 1_000)
    _ = receive(hello(), on: &inbound)
    #expect(receive([3, 3], on: &inbound) == [.drop(.unknownFrameKind(3))])
  }

  @Test func queuedMessagesLeaveAsNumberedChunksOnlyAfterTheHello() {
    let peerID = PeerID(publicKey: peer.publicKey)
    var session = ConnectionSession(direction: .outbound, messageBytesMax: 10 << 20)
    let large = [UInt8](repeating: 7, count: (5 << 19) + 3)  // 2.5 MiB and 3 bytes.
    session.enqueue(large, for: peerID)
    session.enqueue([1], for: peerID)
    #expect(session.nextChunk() == nil)
    #expect(!session.hasOutput)
    _ = receive(hello(), on: &session)
    var headers: [ChunkHeader] = []
    var finished: [Int] = []
    while let (header, _) = session.nextChunk() {
      headers.append(header)
      if let message = session.chunkSent() { finished.append(message.bytes.count) }
    }
    #expect(headers.map(\.messageNumber) == [0, 0, 0, 1])
    #expect(headers.map(\.chunkIndex) == [0, 1, 2, 0])
    #expect(finished == [large.count, 1])
    #expect(!session.hasOutput)
  }

  @Test func aNewConnectionResendsThePartlySentMessageFromItsStart() {
    let peerID = PeerID(publicKey: peer.publicKey)
    var session = ConnectionSession(direction: .outbound, messageBytesMax: 10 << 20)
    _ = receive(hello(), on: &session)
    session.enqueue([1], for: peerID)
    session.enqueue([UInt8](repeating: 0, count: 3 << 20), for: peerID)
    _ = session.chunkSent()
    _ = session.chunkSent()  // The second message's first chunk.
    session.restart()
    #expect(session.state == .awaitingHello(attempts: 0))
    #expect(session.nextChunk() == nil)
    _ = receive(hello(), on: &session)
    let next = session.nextChunk()?.header
    #expect(next == ChunkHeader(messageNumber: 0, messageBytes: 3 << 20, chunkIndex: 0))
  }
}
