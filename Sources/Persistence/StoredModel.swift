import Wire

/// Names one stored model: the round it belongs to and the hash of its values.
public struct ModelKey: Hashable, Sendable, CustomStringConvertible {
  public var round: UInt64
  public var digest: Digest

  public init(round: UInt64, digest: Digest) {
    self.round = round
    self.digest = digest
  }

  public var description: String { "round \(round) (hash \(digest.hexadecimal))" }
}

/// A model's values with the round and the hash they are stored under.
///
/// The store keeps the values as a BLOB of little-endian `Float32` bit patterns, so every value,
/// NaN payloads included, comes back bit for bit. It does not recompute `digest` (the hash
/// function is the protocol's business); it guards the bytes with a checksum of its own.
public struct StoredModel: Hashable, Sendable {
  public var round: UInt64
  public var digest: Digest
  public var values: [Float]

  public init(round: UInt64, digest: Digest, values: [Float]) {
    self.round = round
    self.digest = digest
    self.values = values
  }

  public var key: ModelKey { ModelKey(round: round, digest: digest) }
}
