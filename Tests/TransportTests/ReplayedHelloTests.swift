import Identity
import Testing

@testable import Transport

/// The flood attacker's replayed hello is a real CurveZMQ hello: libzmq opens its box and
/// answers with a WELCOME on every connection it is sent on, so the attacker makes a listener
/// pay for the hello's cryptography without doing any itself.
@Suite(.timeLimit(.minutes(1)))
struct ReplayedHelloTests {
  /// The listener's greeting (64 bytes), then a short ZMTP command of 168 bytes named WELCOME.
  private static let welcomeBytes = ReplayedHello.greetingByteCount + 2 + 168

  private func answer(to bytes: [UInt8], port: UInt16) -> [UInt8] {
    let client = RawTCPClient(port: port)
    client.send(bytes)
    return client.receive(count: Self.welcomeBytes, within: 3_000)
  }

  @Test func theSameHelloIsWelcomedOnEveryConnection() throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let hello = try #require(ReplayedHello.bytes(serverKey: listener.contact.curveKey))
    #expect(hello.count == ReplayedHello.greetingByteCount + 2 + ReplayedHello.helloBodyByteCount)
    for _ in 0..<3 {
      let answer = answer(to: hello, port: listener.contact.address.port)
      try #require(answer.count == Self.welcomeBytes, "\(answer.count) bytes")
      #expect(answer[0] == 0xFF && answer[9] & 1 == 1, "a ZMTP greeting")
      let command = Array(answer[ReplayedHello.greetingByteCount...])
      #expect(command[0] == 0x04 && command[1] == 168)
      #expect(Array(command[2..<10]) == [7] + Array("WELCOME".utf8))
    }
  }

  @Test func aHelloMadeForAnotherKeyIsNotWelcomed() throws {
    let listener = try TestPeer()
    defer { listener.transport.close() }
    let other = try #require(
      CurvePublicKey(bytes: SigningKeyPair.generate().curvePublicKeyBytes))
    let hello = try #require(ReplayedHello.bytes(serverKey: other))
    let answer = answer(to: hello, port: listener.contact.address.port)
    #expect(answer.count <= ReplayedHello.greetingByteCount, "\(answer.count) bytes: no WELCOME")
  }
}
