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

  /// The commitment to a round's combination seed (`RoundStart.seedCommitment`): BLAKE2b-256 of
  /// a domain tag, the round and the seed, each word little-endian.
  public static func combinationSeedCommitment(round: UInt64, seed: UInt64) -> Digest {
    var bytes = Array("starling combination seed v1".utf8)
    withUnsafeBytes(of: round.littleEndian) { bytes += $0 }
    withUnsafeBytes(of: seed.littleEndian) { bytes += $0 }
    return Digest(ContentHash.of(bytes: bytes))
  }
}
