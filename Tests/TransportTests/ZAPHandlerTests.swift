import Testing

@testable import Transport

/// ZAP replies: admitted clients get a user ID, refused ones a 400, malformed requests a 500.
struct ZAPHandlerTests {
  let key = CurvePublicKey(bytes: [UInt8](repeating: 7, count: 32))!

  func request(domain: String = "starling", mechanism: String = "CURVE") -> [[UInt8]] {
    [
      Array("1.0".utf8), [9, 9], Array(domain.utf8), Array("10.0.0.1".utf8), [],
      Array(mechanism.utf8),
      key.bytes,
    ]
  }

  @Test func anAdmittedClientIsNamedByItsKey() {
    let (reply, refusal) = ZAPHandler.reply(to: request(), policy: .admitAll)
    #expect(
      reply == [
        Array("1.0".utf8), [9, 9], Array("200".utf8), Array("OK".utf8), Array(key.z85.utf8), [],
      ])
    #expect(refusal == nil)
  }

  @Test func theAdmissionPolicySeesTheAddressAndKeyAndItsRefusalIsLogged() {
    let policy = AdmissionPolicy { request in
      request.address == "10.0.0.1" && request.curveKey == key
        ? .refuse(.custom("banned")) : .admit
    }
    let (reply, refusal) = ZAPHandler.reply(to: request(), policy: policy)
    #expect(reply[2] == Array("400".utf8))
    #expect(reply[4] == [])
    #expect(
      refusal
        == .admissionRefused(
          AdmissionRequest(address: "10.0.0.1", curveKey: key), reason: .custom("banned"))
    )
  }

  @Test(arguments: [
    [[UInt8]](), [Array("1.0".utf8), [1]],
  ])
  func aShortRequestGetsA500(frames: [[UInt8]]) {
    let (reply, _) = ZAPHandler.reply(to: frames, policy: .admitAll)
    #expect(reply[2] == Array("500".utf8))
  }

  @Test func anotherDomainOrMechanismGetsA500() {
    #expect(
      ZAPHandler.reply(to: request(domain: "other"), policy: .admitAll).frames[2]
        == Array("500".utf8))
    #expect(
      ZAPHandler.reply(to: request(mechanism: "PLAIN"), policy: .admitAll).frames[2]
        == Array("500".utf8))
  }
}
