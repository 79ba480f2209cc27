import Identity

/// The first bytes of a CurveZMQ client, made once and sent again on every connection: the
/// ZMTP 3.0 greeting for the CURVE mechanism (RFC 23) and a valid CURVE HELLO command (RFC 26)
/// from one throwaway transient key. For the flood attacker: a listener cannot tell a replayed
/// hello from a fresh one, so it opens the hello's box and answers with a WELCOME (about three
/// X25519 operations), while the attacker spends nothing on cryptography per attempt. The
/// attacker never sends an INITIATE (that needs the WELCOME's cookie), so a replayed hello
/// never reaches the ZAP handler.
enum ReplayedHello {
  /// The greeting's length.
  static let greetingByteCount = 64
  /// The HELLO command's body length (libzmq refuses any other).
  static let helloBodyByteCount = 200

  /// The greeting, then the HELLO command framed as a short ZMTP command, for the listener
  /// whose CURVE key is `serverKey`; nil when libsodium rejects the key.
  static func bytes(serverKey: CurvePublicKey) -> [UInt8]? {
    var greeting = [UInt8](repeating: 0, count: greetingByteCount)
    greeting[0] = 0xFF  // signature: 0xFF, 8 bytes of padding, 0x7F
    greeting[9] = 0x7F
    greeting[10] = 3  // ZMTP 3.0
    greeting[11] = 0
    greeting.replaceSubrange(12..<17, with: Array("CURVE".utf8))  // 20 bytes, zero-padded
    // greeting[32] = 0: as-server is false; then 31 bytes of filler.
    let transient = CurveBox.throwawayKeyPair()
    let shortNonce: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
    guard
      let signatureBox = CurveBox.seal(
        [UInt8](repeating: 0, count: 64), nonce: Array("CurveZMQHELLO---".utf8) + shortNonce,
        to: serverKey.bytes, from: transient.secretKey)
    else { return nil }
    var body: [UInt8] = [5] + Array("HELLO".utf8) + [1, 0]  // the command's name, version 1.0
    body += [UInt8](repeating: 0, count: 72)  // anti-amplification padding
    body += transient.publicKey + shortNonce + signatureBox
    precondition(body.count == helloBodyByteCount, "a CURVE HELLO is 200 bytes")
    return greeting + [0x04, UInt8(body.count)] + body  // flags: a command, short size
  }
}
