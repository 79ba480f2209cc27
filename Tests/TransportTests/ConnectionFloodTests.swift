import Foundation
import Identity
import Testing
import Transport
import Wire

/// The attacker `starling cluster --flood` and `make flood-bench` run: it makes its attempts at
/// the rate asked, keeps its Sybils, every listener refuses all of it at admission, and an
/// honest peer is served meanwhile.
@Suite(.timeLimit(.minutes(2)))
struct ConnectionFloodTests {
  @Test(arguments: ConnectionFlood.AttemptKind.allCases)
  func attemptsAtTheRateAndSybilsAreAllRefusedWhileAnHonestPeerIsServed(
    kind: ConnectionFlood.AttemptKind
  ) async throws {
    var limits = testLimits
    limits.handshakeTimeoutMilliseconds = 5_000
    var rules = AdmissionRules()
    rules.proofOfWorkBits = 8
    let listener = try TestPeer(limits: limits, admission: AdmissionPolicy(rules: rules))
    defer { listener.transport.close() }
    let flood = ConnectionFlood(
      targets: [listener.contact], attemptsPerSecond: 100, sybils: 10, kind: kind)
    flood.start()
    try await Task.sleep(for: .milliseconds(1_500))
    let honestKey = keyPairWithProofOfWork(bits: 8)
    try await expectHonestExchange(with: listener, keyPair: honestKey)
    let report = flood.stop()
    // About 100 a second for the time it ran (the rate is kept by catching up, so the count
    // is never above it).
    #expect(report.sybils == 10)
    #expect(report.seconds >= 1.5)
    #expect(report.attempts <= Int(100 * report.seconds) + 1)
    #expect(report.attempts >= Int(80 * report.seconds), "\(report)")
    #expect(abs(report.attemptsPerSecond - 100) < 20, "\(report)")
    // A raw attempt's connection comes up on loopback at once, and its hello is written.
    if kind == .replayedHello { #expect(report.hellosSent >= report.attempts - 10, "\(report)") }
    // The Sybils' and the ZeroMQ clients' keys carry no proof of work (the flooder draws keys
    // with none, where a random key would meet 8 bits once in 256), so the ZAP handler refuses
    // every Sybil; a replayed hello never gets as far as the ZAP handler: every message the
    // listener took is the honest peer's.
    #expect(
      await eventually(within: 10_000) {
        listener.transport.statistics.snapshot.refusedAdmissions >= 10
      })
    #expect(
      listener.collector.messages.allSatisfy { $0.sender == PeerID(publicKey: honestKey.publicKey) }
    )
  }
}
