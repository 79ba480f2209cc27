/// The ZeroMQ Authentication Protocol (ZAP, RFC 27) as this transport answers it: libzmq asks
/// once per CURVE connection, after the client proved its key and before any of its messages
/// reaches the socket.
///
/// A request is 7 frames: version `1.0`, request ID, domain, client IP address, routing ID,
/// mechanism (`CURVE`), the client's 32-byte public key. The reply is 6 frames: version,
/// request ID, status code (`200`, `400` refused, `500` malformed request), status text, user
/// ID (here the client key's Z85 text, which libzmq attaches to each of the client's messages
/// as the `User-Id` property) and metadata (empty).
enum ZAPHandler {
  /// The inproc endpoint libzmq sends ZAP requests to, in the server socket's context.
  static let endpoint = "inproc://zeromq.zap.01"
  /// The ZAP domain of the listener (`ZMQ_ZAP_DOMAIN`).
  static let domain = "starling"
  static let version: [UInt8] = Array("1.0".utf8)
  /// The status of an admitted client's reply.
  static let admittedStatus: [UInt8] = Array("200".utf8)

  /// The reply frames for `requestFrames`, and the refusal to log, if any.
  static func reply(
    to requestFrames: [[UInt8]], policy: AdmissionPolicy
  ) -> (frames: [[UInt8]], refusal: TransportEvent?) {
    reply(to: requestFrames, decide: policy.decide)
  }

  /// The reply frames for `requestFrames` as `decide` rules, and the refusal to log, if any.
  static func reply(
    to requestFrames: [[UInt8]], decide: (AdmissionRequest) -> AdmissionDecision
  ) -> (frames: [[UInt8]], refusal: TransportEvent?) {
    let requestID = requestFrames.count > 1 ? requestFrames[1] : []
    guard let request = parse(requestFrames) else {
      return (replyFrames(requestID: requestID, status: "500", text: "malformed request"), nil)
    }
    switch decide(request) {
    case .admit:
      return (
        replyFrames(requestID: requestID, status: "200", text: "OK", userID: request.curveKey.z85),
        nil
      )
    case .refuse(let reason):
      return (
        replyFrames(requestID: requestID, status: "400", text: reason.description),
        .admissionRefused(request, reason: reason)
      )
    }
  }

  /// The admission request in a well-formed CURVE request for this transport's domain.
  static func parse(_ frames: [[UInt8]]) -> AdmissionRequest? {
    guard frames.count == 7, frames[0] == version, frames[2] == Array(domain.utf8),
      frames[5] == Array("CURVE".utf8), let key = CurvePublicKey(bytes: frames[6]),
      let address = String(validating: frames[3], as: UTF8.self)
    else { return nil }
    return AdmissionRequest(address: address, curveKey: key)
  }

  private static func replyFrames(
    requestID: [UInt8], status: String, text: String, userID: String = ""
  ) -> [[UInt8]] {
    [version, requestID, Array(status.utf8), Array(text.utf8), Array(userID.utf8), []]
  }
}
