/// `data.partition`: how the training set is split across `data.peers` peers.
public struct PartitionConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// Shuffled, equal shares.
    case iid
    /// Class proportions per peer drawn from a Dirichlet distribution (smaller alpha: more skew).
    case dirichlet
    /// The set sorted by label, cut into shards, each peer taking `shardsPerPeer` of them.
    case shards
  }

  public let kind: Kind
  /// Concentration of the Dirichlet distribution (dirichlet only; the default otherwise).
  public let alpha: Double
  /// Label-sorted shards each peer receives (shards only; the default otherwise).
  public let shardsPerPeer: Int

  static let kindDefault = Kind.iid
  static let alphaDefault = 0.5
  static let alphaInterval = Interval.lowerOpen(0, 10_000)
  static let shardsPerPeerDefault = 2
  static let shardsPerPeerRange = 1...10_000
  static let fieldNames = ["kind", "alpha", "shardsPerPeer"]

  /// The partition with every field at its default: IID.
  static let iid = PartitionConfiguration(
    kind: .iid, alpha: alphaDefault, shardsPerPeer: shardsPerPeerDefault)

  private init(kind: Kind, alpha: Double, shardsPerPeer: Int) {
    self.kind = kind
    self.alpha = alpha
    self.shardsPerPeer = shardsPerPeer
  }

  /// Reads `data.partition`, rejecting the field of the other kind.
  init(reading fields: FieldReader) throws(ConfigurationError) {
    kind = try fields.choice("kind", default: Self.kindDefault)
    let kindName = kind.rawValue
    if kind != .dirichlet {
      try fields.reject(["alpha"]) { _ in "alpha applies only to dirichlet, not \(kindName)" }
    }
    if kind != .shards {
      try fields.reject(["shardsPerPeer"]) { _ in
        "shardsPerPeer applies only to shards, not \(kindName)"
      }
    }
    alpha = try fields.number("alpha", default: Self.alphaDefault, in: Self.alphaInterval)
    shardsPerPeer = try fields.integer(
      "shardsPerPeer", default: Self.shardsPerPeerDefault, in: Self.shardsPerPeerRange)
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = ["kind": .string(kind.rawValue)]
    switch kind {
    case .iid: break
    case .dirichlet: members["alpha"] = .double(alpha)
    case .shards: members["shardsPerPeer"] = .integer(shardsPerPeer)
    }
    return .object(members)
  }
}
