import Identity

/// Who said a message, and proof of it: the author's Ed25519 public key (its peer ID is the
/// key's hash), a nonce that makes every signed message unique, and the signature over the
/// message's `SignedStatement`. An aggregator cannot forge or alter a trainer's update, and a
/// coordinator cannot forge an aggregator's partial, without the signature failing.
public struct Attestation: Hashable, Sendable {
  public var publicKey: PublicKey
  public var nonce: UInt64
  public var signature: Signature
  public init(publicKey: PublicKey, nonce: UInt64, signature: Signature) {
    self.publicKey = publicKey
    self.nonce = nonce
    self.signature = signature
  }

  /// The peer whose key made the signature.
  public var author: PeerID { PeerID(publicKey: publicKey) }

  /// Whether the signature is this key's over `statement`.
  public func verifies(_ statement: [UInt8]) -> Bool {
    publicKey.verify(signature: signature, message: statement)
  }
}

/// A trainer's signed update as its aggregator forwards it inside a partial: the weight, the
/// digest of the values the trainer sent, and the trainer's attestation over them. Anyone can
/// check it: `SignedStatement.update` rebuilt from the receipt, the partial's round and its
/// aggregator must verify under the trainer's key.
public struct UpdateReceipt: Hashable, Sendable {
  public var weight: UInt32
  public var valuesDigest: Digest
  public var attestation: Attestation
  /// The aggregator's judgement of the update (with trainer reputation): the cosine between it
  /// and the group's robust aggregate, in [-1, 1]; 0 when the project does not judge. The
  /// trainer's signature does not cover it; the aggregator's partial signature does.
  public var score: Float
  public init(weight: UInt32, valuesDigest: Digest, attestation: Attestation, score: Float = 0) {
    self.weight = weight
    self.valuesDigest = valuesDigest
    self.attestation = attestation
    self.score = score
  }

  public var trainer: PeerID { attestation.author }
}

/// The exact bytes each kind of signed message signs. Every statement starts with its own
/// domain tag and the project's ID, so a signature made for one project, one kind of message or
/// one round is worthless for any other.
public enum SignedStatement {
  static let updateTag = Array("starling/update/v1".utf8)
  static let partialTag = Array("starling/partial/v1".utf8)
  static let entryTag = Array("starling/entry/v1".utf8)

  /// A trainer's update for `round`, sent to `aggregator`.
  public static func update(
    project: [UInt8], round: UInt64, aggregator: PeerID, weight: UInt32, valuesDigest: Digest,
    nonce: UInt64
  ) -> [UInt8] {
    var encoder = WireEncoder()
    encoder.encode(fixedBytes: updateTag)
    encoder.encode(fixedBytes: project)
    encoder.encode(round)
    encoder.encode(aggregator)
    encoder.encode(weight)
    encoder.encode(valuesDigest)
    encoder.encode(nonce)
    return encoder.bytes
  }

  /// An aggregator's partial for `round`: its total weight, the receipts it combined (by their
  /// digest) and the digest of its values.
  public static func partial(
    project: [UInt8], round: UInt64, weight: UInt64, receipts: [UpdateReceipt],
    valuesDigest: Digest, nonce: UInt64
  ) -> [UInt8] {
    var receiptBytes = WireEncoder()
    for receipt in receipts { receiptBytes.encode(receipt) }
    var encoder = WireEncoder()
    encoder.encode(fixedBytes: partialTag)
    encoder.encode(fixedBytes: project)
    encoder.encode(round)
    encoder.encode(weight)
    encoder.encode(Digest(ContentHash.of(bytes: receiptBytes.bytes)))
    encoder.encode(valuesDigest)
    encoder.encode(nonce)
    return encoder.bytes
  }

  /// A council log entry as its leader appends it: its term, its index and the digest of its
  /// command's encoding (its attestation aside). An entry moved to another place in the log,
  /// relabelled with another term or given another command no longer verifies.
  public static func entry(project: [UInt8], _ entry: LogEntry, nonce: UInt64) -> [UInt8] {
    var encoder = WireEncoder()
    encoder.encode(fixedBytes: entryTag)
    encoder.encode(fixedBytes: project)
    encoder.encode(entry.term)
    encoder.encode(entry.index)
    encoder.encode(Digest(ContentHash.of(bytes: entry.command.wireBytes)))
    encoder.encode(nonce)
    return encoder.bytes
  }
}

extension Attestation: WireCodable {
  /// Key, nonce, signature.
  public static let encodedBytesMin = PublicKey.byteCount + 8 + Signature.byteCount

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(fixedBytes: publicKey.bytes)
    encoder.encode(nonce)
    encoder.encode(fixedBytes: signature.bytes)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    let key = try decoder.decode(fixedBytes: PublicKey.byteCount)
    let nonce = try decoder.decode(UInt64.self)
    let signature = try decoder.decode(fixedBytes: Signature.byteCount)
    // Both lengths are fixed above, so both initializers succeed.
    self.init(
      publicKey: PublicKey(bytes: key)!, nonce: nonce, signature: Signature(bytes: signature)!)
  }
}

extension UpdateReceipt: WireCodable {
  /// Weight, digest, attestation, score.
  public static let encodedBytesMin = 4 + Digest.encodedBytesMin + Attestation.encodedBytesMin + 4

  public func encode(to encoder: inout WireEncoder) {
    encoder.encode(weight)
    encoder.encode(valuesDigest)
    encoder.encode(attestation)
    encoder.encode(score)
  }

  public init(from decoder: inout WireDecoder) throws(WireError) {
    self.init(
      weight: try decoder.decode(UInt32.self), valuesDigest: try decoder.decode(Digest.self),
      attestation: try decoder.decode(Attestation.self), score: try decoder.decode(Float.self))
  }
}
