import Identity
import Testing
import Wire

@testable import Transport

/// The listener's admission state, without sockets: attempts per address, caps per address and
/// subnet, and slots freed when connections end.
struct AdmissionLedgerTests {
  let policy = AdmissionPolicy.admitAll

  func request(_ address: String, key: UInt8 = 1) -> AdmissionRequest {
    AdmissionRequest(
      address: address, curveKey: CurvePublicKey(bytes: [UInt8](repeating: key, count: 32))!)
  }

  func address(_ text: String) -> BlockedRange {
    BlockedRange(key: AddressKey(parsing: text), isSubnet: false)
  }

  func ledger(_ configure: (inout AdmissionRules) -> Void) -> LedgerBox {
    var rules = AdmissionRules()
    configure(&rules)
    return LedgerBox(AdmissionLedger(rules: rules, pendingMilliseconds: 4_000))
  }

  @Test func attemptsBeyondTheBucketAreShutDownAndGetNoHandshakePastTheHandler() {
    let ledger = ledger { $0.connectionAttemptsPerSecond = 5 }
    let verdicts = (0..<8).map { _ in ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0) }
    // The burst is one second's attempts: 5. Every accepted connection counts, whether it
    // gets to the ZAP handler or not.
    #expect(verdicts.prefix(5).allSatisfy { $0 == .withinRate })
    #expect(verdicts.dropFirst(5).allSatisfy { $0 == .overRate(newBlock: nil) })
    // Each attempt within the rate leaves one handshake credit: 5 requests pass the handler,
    // and a sixth (a connection over the rate whose handshake beat its shutdown) is refused.
    for _ in 0..<5 {
      #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 100) == .admit)
    }
    #expect(
      ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 100)
        == .refuse(.tooManyAttempts))
    // A token is back every 200 ms.
    #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 200) == .withinRate)
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 200) == .admit)
    #expect(
      ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 200) == .overRate(newBlock: nil))
    // A credit lasts as long as a pending slot (4 s here).
    #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 1_000) == .withinRate)
    #expect(
      ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 5_001)
        == .refuse(.tooManyAttempts))
    #expect(ledger.blockedRanges.isEmpty, "no block, so nothing for the kernel filter")
  }

  @Test func anAddressOverTheRateIsBlockedForTheBlockAndThenForgiven() {
    let ledger = ledger {
      $0.connectionAttemptsPerSecond = 5
      $0.overRateBlockMilliseconds = 10_000
    }
    for _ in 0..<5 {
      #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0) == .withinRate)
    }
    #expect(
      ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0)
        == .overRate(newBlock: address("10.0.0.1")))
    #expect(ledger.blockedRanges == [address("10.0.0.1")])
    // Blocked for the whole block, though its bucket refills long before: at accept and at
    // the ZAP handler.
    #expect(
      ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 5_000) == .overRate(newBlock: nil)
    )
    #expect(
      ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 9_999)
        == .refuse(.tooManyAttempts))
    #expect(ledger.attemptAccepted("10.0.0.2", nowMilliseconds: 5_000) == .withinRate)
    // A second address blocked later comes first in the filter's list.
    for _ in 0..<5 { _ = ledger.attemptAccepted("10.0.0.3", nowMilliseconds: 2_000) }
    #expect(
      ledger.attemptAccepted("10.0.0.3", nowMilliseconds: 2_000)
        == .overRate(newBlock: address("10.0.0.3")))
    #expect(
      ledger.blockedRanges == [address("10.0.0.3"), address("10.0.0.1")])
    #expect(ledger.expire(nowMilliseconds: 9_999) == false)
    #expect(ledger.expire(nowMilliseconds: 10_000) == true, "10.0.0.1's block is over")
    #expect(ledger.blockedRanges == [address("10.0.0.3")])
    #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 10_000) == .withinRate)
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 10_000) == .admit)
  }

  @Test func aSubnetOverItsRateIsBlockedWholeAcrossItsAddresses() {
    let ledger = ledger {
      $0.connectionAttemptsPerSecond = 5
      $0.subnetConnectionAttemptsPerSecond = 8
      $0.overRateBlockMilliseconds = 10_000
    }
    // 8 addresses of one /24, one attempt each: within both rates. The ninth goes over the
    // subnet's burst of 8, and the whole /24 is blocked.
    for host in 1...8 {
      #expect(ledger.attemptAccepted("10.0.7.\(host)", nowMilliseconds: 0) == .withinRate)
    }
    let subnet = BlockedRange(key: AddressKey(parsing: "10.0.7.0"), isSubnet: true)
    #expect(subnet.description == "10.0.7.0/24")
    #expect(ledger.attemptAccepted("10.0.7.9", nowMilliseconds: 0) == .overRate(newBlock: subnet))
    #expect(ledger.attemptAccepted("10.0.7.200", nowMilliseconds: 100) == .overRate(newBlock: nil))
    #expect(
      ledger.admit(request("10.0.7.77"), policy: policy, nowMilliseconds: 100)
        == .refuse(.tooManyAttempts))
    #expect(ledger.blockedRanges == [subnet])
    // The next /24 is another subnet; an IPv6 /56 is keyed by its first 56 bits.
    #expect(ledger.attemptAccepted("10.0.8.1", nowMilliseconds: 100) == .withinRate)
    let ipv6 = BlockedRange(key: AddressKey(parsing: "2001:db8:0:1ff::9").subnet, isSubnet: true)
    #expect(ipv6.description == "2001:db8:0:100::/56")
    #expect(ledger.expire(nowMilliseconds: 10_000) == true)
    #expect(ledger.attemptAccepted("10.0.7.9", nowMilliseconds: 10_000) == .withinRate)
  }

  @Test func theCapPerAddressCountsAdmittedConnectionsAndFreesThemWhenTheyClose() {
    let ledger = ledger { $0.peersPerAddressMax = 2 }
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
    ledger.connectionAccepted(descriptor: 20)
    ledger.connectionSpoke(descriptor: 20, address: "10.0.0.1")
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
    #expect(
      ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0)
        == .refuse(.tooManyFromAddress(maximum: 2)))
    #expect(ledger.admit(request("10.0.0.9"), policy: policy, nowMilliseconds: 0) == .admit)
    ledger.connectionClosed(descriptor: 20)
    #expect(ledger.count(address: "10.0.0.1") == 1)
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
  }

  @Test func theCapPerSubnetCountsEveryAddressOfTheSlash24() {
    let ledger = ledger { $0.peersPerSubnetMax = 3 }
    for host in 1...3 {
      #expect(ledger.admit(request("10.0.0.\(host)"), policy: policy, nowMilliseconds: 0) == .admit)
    }
    #expect(
      ledger.admit(request("10.0.0.77"), policy: policy, nowMilliseconds: 0)
        == .refuse(.tooManyFromSubnet(maximum: 3)))
    #expect(
      ledger.admit(request("::ffff:10.0.0.78"), policy: policy, nowMilliseconds: 0)
        == .refuse(.tooManyFromSubnet(maximum: 3)))
    #expect(ledger.admit(request("10.0.1.1"), policy: policy, nowMilliseconds: 0) == .admit)
  }

  @Test func aClientThatNeverSpeaksStopsCountingAtItsDeadline() {
    let ledger = ledger { $0.peersPerAddressMax = 1 }
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
    ledger.expire(nowMilliseconds: 3_999)
    #expect(ledger.admittedCount == 1)
    ledger.expire(nowMilliseconds: 4_000)
    #expect(ledger.admittedCount == 0)
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 4_000) == .admit)
  }

  @Test func aPeerThatConnectsAndDisconnectsAThousandTimesIsNotLockedOut() {
    let ledger = ledger {
      $0.peersPerAddressMax = 1
      $0.peersPerSubnetMax = 1
    }
    for cycle in 0..<1_000 {
      let descriptor = Int32(10 + cycle % 7)
      #expect(
        ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: UInt64(cycle)) == .admit)
      ledger.connectionAccepted(descriptor: descriptor)
      ledger.connectionSpoke(descriptor: descriptor, address: "10.0.0.1")
      ledger.connectionClosed(descriptor: descriptor)
    }
    #expect(ledger.admittedCount == 0)
    #expect(ledger.pendingCount == 0)
  }

  @Test func aLostDisconnectionIsMadeUpForByTheDescriptorsNextAcceptance() {
    let ledger = ledger { $0.peersPerAddressMax = 1 }
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
    ledger.connectionAccepted(descriptor: 30)
    ledger.connectionSpoke(descriptor: 30, address: "10.0.0.1")
    // No DISCONNECTED for 30; the system hands 30 to a new connection.
    ledger.connectionAccepted(descriptor: 30)
    #expect(ledger.admittedCount == 0)
  }

  @Test func aFirstFrameFromAConnectionAlreadyClosedFreesItsSlot() {
    let ledger = ledger { $0.peersPerAddressMax = 1 }
    #expect(ledger.admit(request("10.0.0.1"), policy: policy, nowMilliseconds: 0) == .admit)
    ledger.connectionAccepted(descriptor: 40)
    ledger.connectionClosed(descriptor: 40)
    ledger.connectionSpoke(descriptor: 40, address: "10.0.0.1")
    #expect(ledger.admittedCount == 0)
    ledger.connectionSpoke(descriptor: -1, address: "10.0.0.1")
    #expect(ledger.admittedCount == 0)
  }

  @Test func theStatelessRulesComeAfterTheAttemptRateAndBeforeTheCaps() {
    var rules = AdmissionRules()
    rules.connectionAttemptsPerSecond = 1
    rules.peersPerAddressMax = 5
    rules.proofOfWorkBits = 28
    let strict = AdmissionPolicy(rules: rules)
    let ledger = LedgerBox(AdmissionLedger(rules: rules, pendingMilliseconds: 1_000))
    #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0) == .withinRate)
    let first = ledger.admit(request("10.0.0.1"), policy: strict, nowMilliseconds: 0)
    guard case .refuse(.insufficientProofOfWork(_, 28)) = first else {
      Issue.record("expected a proof-of-work refusal, got \(first)")
      return
    }
    // A refused attempt counted all the same: the burst of 2 is spent on the third.
    #expect(ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0) == .withinRate)
    #expect(
      ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 0) == .overRate(newBlock: nil))
    guard
      case .refuse(.insufficientProofOfWork) = ledger.admit(
        request("10.0.0.1"), policy: strict, nowMilliseconds: 0)
    else {
      Issue.record("the second attempt's request is judged by the proof of work")
      return
    }
    #expect(
      ledger.admit(request("10.0.0.1"), policy: strict, nowMilliseconds: 0)
        == .refuse(.tooManyAttempts))
    #expect(ledger.admittedCount == 0)
  }

  @Test func attemptBucketsThatAreFullAgainAreForgotten() {
    let ledger = ledger { $0.connectionAttemptsPerSecond = 100 }
    for host in 0..<200 {
      _ = ledger.attemptAccepted("10.0.\(host / 250).\(host % 250)", nowMilliseconds: 0)
    }
    ledger.expire(nowMilliseconds: 10_000)
    // Every address may make a full burst again.
    #expect(
      (0..<100).allSatisfy { _ in
        ledger.attemptAccepted("10.0.0.1", nowMilliseconds: 10_000) == .withinRate
      })
  }
}

/// A ledger in a box, so that `#expect` can call its mutating methods.
final class LedgerBox {
  var ledger: AdmissionLedger
  init(_ ledger: AdmissionLedger) { self.ledger = ledger }
  var admittedCount: Int { ledger.admittedCount }
  var pendingCount: Int { ledger.pendingCount }
  func count(address: String) -> Int { ledger.count(address: address) }
  func admit(
    _ request: AdmissionRequest, policy: AdmissionPolicy, nowMilliseconds: UInt64
  ) -> AdmissionDecision {
    ledger.admit(request, policy: policy, nowMilliseconds: nowMilliseconds)
  }
  func connectionAccepted(descriptor: Int32) { ledger.connectionAccepted(descriptor: descriptor) }
  func connectionSpoke(descriptor: Int32, address: String) {
    ledger.connectionSpoke(descriptor: descriptor, address: address)
  }
  func connectionClosed(descriptor: Int32) { ledger.connectionClosed(descriptor: descriptor) }
  @discardableResult
  func expire(nowMilliseconds: UInt64) -> Bool { ledger.expire(nowMilliseconds: nowMilliseconds) }
  func attemptAccepted(_ address: String, nowMilliseconds: UInt64) -> AdmissionLedger.AttemptVerdict
  {
    ledger.attemptAccepted(address: address, nowMilliseconds: nowMilliseconds)
  }
  var blockedRanges: [BlockedRange] { ledger.blockedRanges }
}

/// The ban list and the policy's stateless rules.
struct AdmissionPolicyTests {
  let key = CurvePublicKey(bytes: [UInt8](repeating: 3, count: 32))!

  @Test func aKeyBannedAtRunTimeIsRefusedAndAdmittedAgainOnceUnbanned() {
    let policy = AdmissionPolicy.admitAll
    let request = AdmissionRequest(address: "10.0.0.1", curveKey: key)
    #expect(policy.decide(request) == .admit)
    #expect(policy.ban(key: key))
    #expect(policy.decide(request) == .refuse(.banned))
    policy.unban(key: key)
    #expect(policy.decide(request) == .admit)
  }

  @Test func aBannedPeerIsRefusedAtItsHelloAndItsKeyIsBannedThen() {
    let policy = AdmissionPolicy.admitAll
    let keyPair = SigningKeyPair.generate()
    let peer = PeerID(publicKey: keyPair.publicKey)
    let curveKey = CurvePublicKey(bytes: keyPair.curvePublicKeyBytes)!
    #expect(policy.checkHello(peer: peer, curveKey: curveKey) == nil)
    policy.ban(peer: peer)
    #expect(policy.checkHello(peer: peer, curveKey: curveKey) == .banned)
    #expect(policy.isBanned(key: curveKey))
    #expect(
      policy.decide(AdmissionRequest(address: "10.0.0.1", curveKey: curveKey)) == .refuse(.banned))
  }

  @Test func theHelloChecksTheProofOfWorkAgain() {
    var rules = AdmissionRules()
    rules.proofOfWorkBits = 28
    let policy = AdmissionPolicy(rules: rules)
    let keyPair = SigningKeyPair.generate()
    let curveKey = CurvePublicKey(bytes: keyPair.curvePublicKeyBytes)!
    let refusal = policy.checkHello(peer: PeerID(publicKey: keyPair.publicKey), curveKey: curveKey)
    #expect(
      refusal == .insufficientProofOfWork(bits: ProofOfWork.bits(of: curveKey), required: 28))
    #expect(refusal?.code == .insufficientProofOfWork)
  }

  @Test func anAllowListAdmitsOnlyItsKeys() {
    var rules = AdmissionRules()
    rules.allowedKeys = [key]
    let policy = AdmissionPolicy(rules: rules)
    #expect(policy.decide(AdmissionRequest(address: "10.0.0.1", curveKey: key)) == .admit)
    let stranger = CurvePublicKey(bytes: [UInt8](repeating: 4, count: 32))!
    #expect(
      policy.decide(AdmissionRequest(address: "10.0.0.1", curveKey: stranger))
        == .refuse(.notOnAllowList))
  }

  @Test func bansFromManyThreadsAtOnceAreAllKept() async {
    let policy = AdmissionPolicy.admitAll
    let keys = (0..<64).map { index in
      CurvePublicKey(bytes: [UInt8](repeating: UInt8(index), count: 31) + [9])!
    }
    await withTaskGroup(of: Void.self) { group in
      for key in keys {
        group.addTask {
          policy.ban(key: key)
          _ = policy.decide(AdmissionRequest(address: "10.0.0.1", curveKey: key))
        }
      }
    }
    #expect(keys.allSatisfy { policy.isBanned(key: $0) })
  }
}
