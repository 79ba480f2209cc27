import Identity
import Testing
import Transport
import Wire

/// The hello of docs/protocol.md ("Transport"), built independently with Python's
/// `cryptography`: RFC 8032 test 1's seed, project ID bytes 0x00-0x1f, timestamp
/// 1,700,000,000,000 ms.
enum HelloVector {
  static let seed = bytes(
    hexadecimal: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
  static let projectID = ProjectID(bytes: Array(0..<32))!
  static let timestampMilliseconds: UInt64 = 1_700_000_000_000
  static let hello = bytes(
    hexadecimal: """
      01 0100
      000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
      d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
      d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e
      0068e5cf8b010000
      21cad66c3712c28e0b1732e8c798e2acab136e990e6225ee389d0b9c429ab635
      f6327ae1151d5d006bf0f22a692e7134e5d2f6037e27a041c0db899286559006
      """)
}

/// The hello: its layout, its test vector, and each reason to refuse one.
struct HelloTests {
  let keyPair = SigningKeyPair(seed: HelloVector.seed)
  var curveKey: CurvePublicKey { CurvePublicKey(bytes: keyPair.curvePublicKeyBytes)! }
  let now = HelloVector.timestampMilliseconds
  let skew: UInt64 = 120_000

  var vectorHello: Hello {
    Hello(
      signedBy: keyPair, projectID: HelloVector.projectID,
      timestampMilliseconds: HelloVector.timestampMilliseconds)
  }

  func check(_ hello: Hello, now: UInt64? = nil, key: CurvePublicKey? = nil) throws(HelloRefusal)
    -> PeerID
  {
    try hello.check(
      projectID: HelloVector.projectID, connectionKey: key ?? curveKey,
      nowMilliseconds: now ?? self.now, clockSkewMillisecondsMax: skew)
  }

  @Test func theTestVectorMatchesAnIndependentImplementation() throws {
    #expect(vectorHello.wireBytes == HelloVector.hello)
    #expect(HelloVector.hello.count == Hello.frameBytes)
    let decoded = try Hello(frame: HelloVector.hello)
    #expect(decoded == vectorHello)
    #expect(try check(decoded) == PeerID(publicKey: keyPair.publicKey))
  }

  @Test func theLayoutPutsEachFieldAtItsOffset() {
    let bytes = vectorHello.wireBytes
    #expect(bytes[0] == 1)
    #expect(Array(bytes[1..<3]) == [1, 0])
    #expect(Array(bytes[3..<35]) == HelloVector.projectID.bytes)
    #expect(Array(bytes[35..<67]) == keyPair.publicKey.bytes)
    #expect(Array(bytes[67..<99]) == keyPair.curvePublicKeyBytes)
    #expect(Array(bytes[107..<171]) == vectorHello.signature.bytes)
    #expect(vectorHello.signedMessage == Array("starling/transport/hello".utf8) + bytes[0..<107])
  }

  @Test func aTimestampAtTheSkewBoundIsAcceptedAndOnePastItRefused() throws {
    #expect(throws: Never.self) { try check(vectorHello, now: now + skew) }
    #expect(throws: Never.self) { try check(vectorHello, now: now - skew) }
    #expect(
      throws: HelloRefusal.staleTimestamp(
        timestampMilliseconds: now, nowMilliseconds: now + skew + 1)
    ) {
      try check(vectorHello, now: now + skew + 1)
    }
    #expect(
      throws: HelloRefusal.staleTimestamp(
        timestampMilliseconds: now, nowMilliseconds: now - skew - 1)
    ) {
      try check(vectorHello, now: now - skew - 1)
    }
  }

  @Test func anotherProjectIsRefused() {
    let hello = Hello(signedBy: keyPair, projectID: otherProject, timestampMilliseconds: now)
    #expect(throws: HelloRefusal.wrongProject(found: otherProject)) { try check(hello) }
  }

  @Test func aHelloOnAConnectionWithAnotherCurveKeyIsRefused() {
    let other = CurvePublicKey(bytes: SigningKeyPair.generate().curvePublicKeyBytes)!
    #expect(throws: HelloRefusal.keyMismatch(helloKey: curveKey, connectionKey: other)) {
      try check(vectorHello, key: other)
    }
  }

  @Test func aCurveKeyNotDerivedFromTheSigningKeyIsRefused() {
    let other = SigningKeyPair.generate()
    let otherCurve = CurvePublicKey(bytes: other.curvePublicKeyBytes)!
    // Signed properly by `keyPair`, but naming another peer's CURVE key.
    let unsigned = Hello(
      version: 1, projectID: HelloVector.projectID, signingKey: keyPair.publicKey,
      curveKey: otherCurve, timestampMilliseconds: now, signature: vectorHello.signature)
    let hello = Hello(
      version: 1, projectID: HelloVector.projectID, signingKey: keyPair.publicKey,
      curveKey: otherCurve, timestampMilliseconds: now,
      signature: keyPair.sign(unsigned.signedMessage))
    #expect(throws: HelloRefusal.curveKeyNotDerived) { try check(hello, key: otherCurve) }
  }

  @Test(arguments: [3, 40, 80, 99, 100, 106, 107, 150, 170])
  func flippingAnySignedOrSignatureByteBreaksTheHello(offset: Int) throws {
    var bytes = HelloVector.hello
    bytes[offset] ^= 0x01
    let hello = try Hello(frame: bytes)
    #expect(throws: HelloRefusal.self) { try check(hello) }
    // The timestamp's two low bytes move it by 1 or 256 ms, within the skew; a signature byte
    // changes nothing else. Either way only the signature fails.
    if offset == 99 || offset == 100 || offset >= 107 {
      #expect(throws: HelloRefusal.badSignature) { try check(hello) }
    }
  }

  @Test func anotherVersionIsRefusedWhateverItsLength() {
    var bytes = HelloVector.hello
    bytes[1] = 2
    #expect(throws: HelloRefusal.unsupportedVersion(found: 2)) { try Hello(frame: bytes) }
    #expect(throws: HelloRefusal.unsupportedVersion(found: 2)) {
      try Hello(frame: Array(bytes[0..<3]))
    }
  }

  @Test(arguments: [0, 1, 2, 170, 172])
  func aHelloOfTheWrongLengthIsMalformed(length: Int) {
    var bytes = HelloVector.hello + [0]
    bytes = Array(bytes.prefix(length))
    #expect {
      try Hello(frame: bytes)
    } throws: { error in
      if case .malformed = error as? HelloRefusal { true } else { false }
    }
  }

  @Test func eachRefusalHasADistinctCodeAndADescription() {
    let refusals: [HelloRefusal] = [
      .unsupportedVersion(found: 9), .malformed(.truncated(needed: 1, available: 0)),
      .expectedHello(kind: 2), .wrongProject(found: otherProject),
      .keyMismatch(helloKey: curveKey, connectionKey: curveKey), .curveKeyNotDerived,
      .staleTimestamp(timestampMilliseconds: 1, nowMilliseconds: 2), .badSignature,
    ]
    #expect(Set(refusals.map(\.code.rawValue)) == Set(1...8))
    #expect(refusals.allSatisfy { !$0.description.isEmpty })
  }
}
