import Wire

/// How to reach a peer and how to know it is the right one: `KEY@host:port`, where `KEY` is
/// the peer's CURVE public key in Z85 (40 characters) and `host:port` a `NetworkAddress`
/// (`[::1]:7400` for IPv6).
///
/// ZeroMQ's CURVE handshake proves that the listener holds the key's secret, so a contact
/// cannot be answered by anyone else. A bare `host:port` is refused: the transport never skips
/// that check.
public struct Contact: Hashable, Sendable, CustomStringConvertible {
  /// The longest contact text, 255 bytes: what a `PeerAddress` holds, so that every contact a
  /// peer sends can be remembered in the store and carried in a SWIM record. A 40-character
  /// key, `@` and `:65535` leave 208 bytes for the host (a longer DNS name is valid, but not in
  /// a contact).
  public static let textBytesMax = PeerAddress.bytesMax

  public let curveKey: CurvePublicKey
  public let address: NetworkAddress

  /// A contact from its parts; the address's port must not be 0.
  public init(curveKey: CurvePublicKey, address: NetworkAddress) {
    precondition(address.port != 0, "a contact names a port other than 0")
    self.curveKey = curveKey
    self.address = address
  }

  /// Parses `KEY@host:port`.
  public init(parsing text: String) throws(ContactError) {
    let bytes = Array(text.utf8)
    guard !bytes.isEmpty else { throw .empty }
    guard bytes.count <= Self.textBytesMax else {
      throw .tooLong(byteCount: bytes.count, maximum: Self.textBytesMax)
    }
    if let offset = bytes.firstIndex(where: { !(0x21...0x7E).contains($0) }) {
      throw .invalidCharacter(offset: offset)
    }
    // Z85's alphabet holds '@' too, but no host does: the last '@' ends the key.
    guard let at = text.lastIndex(of: "@") else { throw .missingKey(text: text) }
    let keyText = String(text[..<at])
    guard keyText.utf8.count == CurvePublicKey.z85ByteCount else {
      throw .keyWrongLength(characterCount: keyText.utf8.count)
    }
    guard let key = CurvePublicKey(z85: keyText) else { throw .keyNotZ85(key: keyText) }
    let address = try NetworkAddress(parsing: String(text[text.index(after: at)...]))
    guard address.port != 0 else { throw .portZero }
    self.init(curveKey: key, address: address)
  }

  /// `KEY@host:port`.
  public var description: String { curveKey.z85 + "@" + address.description }
}
