import Identity

extension Digest {
  /// The BLAKE2b-256 hash (libsodium) of a float vector's exact bits, each float as its 4
  /// little-endian bytes in order: the name of a model that every peer can recompute, and that
  /// no peer can make collide with another model.
  /// - Complexity: O(n).
  public static func of(values: [Float]) -> Digest { Digest(ContentHash.of(values: values)) }

  /// A content hash as a digest: its 32 bytes in the order `Wire` encodes them (four
  /// little-endian words).
  public init(_ hash: ContentHash) { self.init(words: hash.littleEndianWords) }

  /// The digest's 32 bytes as a content hash (the inverse of `init(_:)`).
  public var contentHash: ContentHash { ContentHash(littleEndianWords: words) }
}
