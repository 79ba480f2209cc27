import Identity
import Transport
import Wire

/// Fuzz target `hello`: `Hello(frame:)`, the decoding of a connection's first frame, then
/// `check(projectID:connectionKey:nowMilliseconds:clockSkewMillisecondsMax:)`, its verification.
///
/// Any input must decode or throw a `HelloRefusal`, and every check must return a peer ID or throw
/// one, with a description and a refusal code. Each decoded hello is checked twice: against the
/// test vector's project, connection key and time (docs/protocol.md, "Frames above ZeroMQ"),
/// which only the vector itself may pass; and against its own project, CURVE key and timestamp,
/// so that the key derivation and the signature check run on whatever bytes the fuzzer made.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHello(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = Array(fuzzInput(start, count))
  do throws(HelloRefusal) {
    let hello = try Hello(frame: input)
    requireCanonical(hello.wireBytes, input[...], "Hello")
    let vector = HelloVector.shared
    if check(
      hello, projectID: vector.projectID, connectionKey: vector.curveKey,
      nowMilliseconds: vector.timestampMilliseconds)
    {
      precondition(input == vector.bytes, "a hello other than the signed one passed its check")
    }
    _ = check(
      hello, projectID: hello.projectID, connectionKey: hello.curveKey,
      nowMilliseconds: hello.timestampMilliseconds)
  } catch {
    describe(error)
  }
  return 0
}

/// Whether `hello` passes the check; a pass must name the peer of the hello's key.
private func check(
  _ hello: Hello, projectID: ProjectID, connectionKey: CurvePublicKey, nowMilliseconds: UInt64
) -> Bool {
  do throws(HelloRefusal) {
    let peer = try hello.check(
      projectID: projectID, connectionKey: connectionKey, nowMilliseconds: nowMilliseconds,
      clockSkewMillisecondsMax: TransportLimits.default.helloClockSkewMillisecondsMax)
    precondition(peer == PeerID(publicKey: hello.signingKey), "a hello passed for another peer")
    return true
  } catch {
    describe(error)
    return false
  }
}

/// What the listener does with a refusal: logs its text and sends its code.
private func describe(_ refusal: HelloRefusal) {
  _ = refusal.description
  _ = refusal.code.rawValue
}

/// The test vector of docs/protocol.md: RFC 8032's first seed, project 0x00...0x1f, time
/// 1,700,000,000,000 ms.
struct HelloVector: Sendable {
  static let shared = HelloVector()

  let keyPair: SigningKeyPair
  let projectID = ProjectID(bytes: Array(0...31))!
  let timestampMilliseconds: UInt64 = 1_700_000_000_000
  let curveKey: CurvePublicKey
  let bytes: [UInt8]

  init() {
    keyPair = SigningKeyPair(
      seed: hexadecimalBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    let hello = Hello(
      signedBy: keyPair, projectID: projectID, timestampMilliseconds: timestampMilliseconds)
    curveKey = hello.curveKey
    bytes = hello.wireBytes
    precondition(
      bytes
        == hexadecimalBytes(
          "01 0100"
            + "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
            + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
            + "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e"
            + "0068e5cf8b010000"
            + "21cad66c3712c28e0b1732e8c798e2acab136e990e6225ee389d0b9c429ab635"
            + "f6327ae1151d5d006bf0f22a692e7134e5d2f6037e27a041c0db899286559006"),
      "the hello differs from the test vector of docs/protocol.md")
  }
}

@_cdecl("LLVMFuzzerInitialize")
public func initializeHelloFuzz(
  _ argumentCount: UnsafeMutableRawPointer?, _ arguments: UnsafeMutableRawPointer?
) -> CInt {
  writeSeedsIfAsked(helloSeeds, testOneInput: fuzzHello) {
    (try? Hello(frame: Array($0))) != nil
  }
  return 0
}

/// The test vector (it passes every check), a valid hello of another key and project at the end
/// of time, and one whose Ed25519 key is not a point (refused as `curveKeyNotDerived`).
func helloSeeds() -> [Seed] {
  let vector = HelloVector.shared
  let other = Hello(
    signedBy: SigningKeyPair(seed: Array(repeating: 7, count: 32)),
    projectID: ProjectID(bytes: Array(repeating: 0xEE, count: 32))!, timestampMilliseconds: .max)
  let notAPoint = Hello(
    version: Hello.version, projectID: vector.projectID,
    signingKey: PublicKey(bytes: Array(repeating: 0xFF, count: 32))!, curveKey: vector.curveKey,
    timestampMilliseconds: vector.timestampMilliseconds,
    signature: Signature(bytes: Array(repeating: 0, count: 64))!)
  return [
    Seed(name: "vector", bytes: vector.bytes),
    Seed(name: "otherKey-endOfTime", bytes: other.wireBytes),
    Seed(name: "signingKeyNotAPoint", bytes: notAPoint.wireBytes),
  ]
}
