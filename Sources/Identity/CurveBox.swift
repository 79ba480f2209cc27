import CSodium

/// libsodium's public-key authenticated encryption (`crypto_box_easy`: X25519, then
/// XSalsa20-Poly1305) with a throwaway key pair: what a CurveZMQ client puts in its HELLO
/// (RFC 26). The benchmark attacker uses it to make one valid hello per listener ahead of time
/// and replay it; nothing in Starling's own protocol is built on it.
public enum CurveBox {
  /// A box's nonce: 24 bytes.
  public static let nonceByteCount = Int(crypto_box_NONCEBYTES)
  /// What sealing adds to a message: its 16-byte authenticator.
  public static let authenticatorByteCount = Int(crypto_box_MACBYTES)

  /// A fresh random X25519 key pair. The secret is ordinary memory (not `SecretBytes`): it is
  /// for one-off keys that protect nothing.
  public static func throwawayKeyPair() -> (publicKey: [UInt8], secretKey: [UInt8]) {
    SodiumLibrary.ensureInitialized()
    var publicKey = [UInt8](repeating: 0, count: Int(crypto_box_PUBLICKEYBYTES))
    var secretKey = [UInt8](repeating: 0, count: Int(crypto_box_SECRETKEYBYTES))
    let status = crypto_box_keypair(&publicKey, &secretKey)
    precondition(status == 0, "crypto_box_keypair failed")
    return (publicKey, secretKey)
  }

  /// `message` sealed from `senderSecretKey` to `recipientPublicKey` under `nonce`: the
  /// authenticator, then the ciphertext (`message.count + authenticatorByteCount` bytes); nil
  /// when the recipient's key is rejected (a low-order point).
  public static func seal(
    _ message: [UInt8], nonce: [UInt8], to recipientPublicKey: [UInt8],
    from senderSecretKey: [UInt8]
  ) -> [UInt8]? {
    precondition(nonce.count == nonceByteCount, "a box's nonce is \(nonceByteCount) bytes")
    precondition(
      recipientPublicKey.count == Int(crypto_box_PUBLICKEYBYTES)
        && senderSecretKey.count == Int(crypto_box_SECRETKEYBYTES), "X25519 keys are 32 bytes")
    SodiumLibrary.ensureInitialized()
    var sealed = [UInt8](repeating: 0, count: message.count + authenticatorByteCount)
    let status = crypto_box_easy(
      &sealed, message, UInt64(message.count), nonce, recipientPublicKey, senderSecretKey)
    return status == 0 ? sealed : nil
  }
}
