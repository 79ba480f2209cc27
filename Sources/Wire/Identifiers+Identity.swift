import Identity

extension PeerID {
  /// The peer ID of the owner of `publicKey`: the BLAKE2b-256 hash of its 32 bytes.
  public init(publicKey: PublicKey) { self.init(publicKeyHash: publicKey.peerIDHash) }

  /// The peer ID whose 32 bytes are `hash` (`PublicKey.peerIDHash`), in the order `Wire` encodes
  /// them: a real peer's ID on the wire is exactly the hash of its key.
  public init(publicKeyHash hash: ContentHash) { self.init(words: hash.littleEndianWords) }

  /// The 32 bytes in wire order, as 64 lower-case hexadecimal digits (for a real peer, the hex of
  /// its public key's hash).
  public var hexadecimal: String { ContentHash(littleEndianWords: words).hexadecimal }
}
