import Identity

/// `security.admission`: which peers a listening node admits, and how fast. Every field is off
/// by default. The fields are project-wide (part of the project ID): every listener of a project
/// applies the same rules.
///
/// The allow-list names peers by their Ed25519 public key (64 hexadecimal digits, as
/// `starling keygen --json` prints `publicKey`). When `owner` names a key, every entry carries
/// the owner's Ed25519 signature (128 hexadecimal digits) of `allowListMessage(for:)`: the 24
/// ASCII bytes `starling/admission/allow` followed by the entry's 32 key bytes.
public struct AdmissionConfiguration: Sendable, Equatable {
  /// One allow-list entry: an Ed25519 public key and, when the list has an owner, the owner's
  /// signature of it.
  public struct AllowListEntry: Sendable, Equatable {
    public let publicKey: PublicKey
    public let signature: Signature?
  }

  /// Leading zero bits the work hash of each peer's CURVE key must have; 0: off.
  public let proofOfWorkBits: Int
  /// Connections admitted at once from one IP address; 0: no cap.
  public let peersPerAddressMax: Int
  /// Connections admitted at once from one /24 (IPv4) or /56 (IPv6) subnet; 0: no cap.
  public let peersPerSubnetMax: Int
  /// Connection attempts per second from one address (a token bucket whose burst is one
  /// second's attempts, at least 2); 0: no limit.
  public let connectionAttemptsPerSecond: Double
  /// Connection attempts per second from one /24 (IPv4) or /56 (IPv6), over all its addresses
  /// (a token bucket like the per-address one); 0: no limit.
  public let subnetConnectionAttemptsPerSecond: Double
  /// How long an address that goes over `connectionAttemptsPerSecond`, or a subnet over
  /// `subnetConnectionAttemptsPerSecond`, stays blocked (its packets dropped by the listener's
  /// kernel filter), in seconds; 0: not blocked, only its attempts over the rate are shut down.
  public let overRateBlockSeconds: Double
  /// Messages per second from one authenticated peer (a token bucket whose burst is two
  /// seconds' messages, at least 8); the rest are dropped and counted; 0: no limit.
  public let messagesPerSecondPerPeer: Double
  /// Whether the coordinator proposes, through the council log, a ban on an aggregator whose
  /// partial breaks the protocol (wrong length, NaN, a weight out of range, a trainer outside
  /// its group or counted twice). A committed ban is replicated state: every node drops the
  /// peer from the council and the sampling, and every listener refuses its connections.
  public let banMisbehavingAggregators: Bool
  /// The key that signs the allow-list's entries; nil: entries are unsigned.
  public let owner: PublicKey?
  /// The only peers admitted; nil: every peer.
  public let allowList: [AllowListEntry]?

  /// The most bits of proof of work a project may ask for (2^28 tries: hours on one core).
  public static let proofOfWorkBitsMax = 28
  static let peersMax = 65_536
  static let ratePerSecondMax = 1e6
  static let allowListCountMax = 4_096
  /// The default block of an address over its attempt rate.
  public static let overRateBlockSecondsDefault = 30.0
  static let overRateBlockSecondsMax = 86_400.0
  static let fieldNames = [
    "proofOfWorkBits", "peersPerAddressMax", "peersPerSubnetMax", "connectionAttemptsPerSecond",
    "subnetConnectionAttemptsPerSecond", "overRateBlockSeconds", "messagesPerSecondPerPeer",
    "banMisbehavingAggregators", "owner",
    "allowList",
  ]
  static let entryFieldNames = ["key", "signature"]

  /// What the owner signs for each allow-list entry: the 24 ASCII bytes
  /// `starling/admission/allow` followed by the entry's 32-byte Ed25519 public key.
  public static func allowListMessage(for key: PublicKey) -> [UInt8] {
    Array("starling/admission/allow".utf8) + key.bytes
  }

  /// Whether every rule is off (the configuration then leaves the section out of its output).
  public var isOff: Bool { self == AdmissionConfiguration.off }

  static let off = AdmissionConfiguration(
    proofOfWorkBits: 0, peersPerAddressMax: 0, peersPerSubnetMax: 0,
    connectionAttemptsPerSecond: 0, subnetConnectionAttemptsPerSecond: 0,
    overRateBlockSeconds: overRateBlockSecondsDefault,
    messagesPerSecondPerPeer: 0, banMisbehavingAggregators: false, owner: nil, allowList: nil)

  private init(
    proofOfWorkBits: Int, peersPerAddressMax: Int, peersPerSubnetMax: Int,
    connectionAttemptsPerSecond: Double, subnetConnectionAttemptsPerSecond: Double,
    overRateBlockSeconds: Double,
    messagesPerSecondPerPeer: Double,
    banMisbehavingAggregators: Bool, owner: PublicKey?, allowList: [AllowListEntry]?
  ) {
    self.proofOfWorkBits = proofOfWorkBits
    self.peersPerAddressMax = peersPerAddressMax
    self.peersPerSubnetMax = peersPerSubnetMax
    self.connectionAttemptsPerSecond = connectionAttemptsPerSecond
    self.subnetConnectionAttemptsPerSecond = subnetConnectionAttemptsPerSecond
    self.overRateBlockSeconds = overRateBlockSeconds
    self.messagesPerSecondPerPeer = messagesPerSecondPerPeer
    self.banMisbehavingAggregators = banMisbehavingAggregators
    self.owner = owner
    self.allowList = allowList
  }
}

extension AdmissionConfiguration {
  /// Reads the section from `fields` (whose path is `security.admission`).
  init(reading fields: FieldReader) throws(ConfigurationError) {
    proofOfWorkBits = try fields.integer(
      "proofOfWorkBits", default: 0, in: 0...Self.proofOfWorkBitsMax)
    peersPerAddressMax = try fields.integer("peersPerAddressMax", default: 0, in: 0...Self.peersMax)
    peersPerSubnetMax = try fields.integer("peersPerSubnetMax", default: 0, in: 0...Self.peersMax)
    connectionAttemptsPerSecond = try fields.number(
      "connectionAttemptsPerSecond", default: 0, in: .closed(0, Self.ratePerSecondMax))
    subnetConnectionAttemptsPerSecond = try fields.number(
      "subnetConnectionAttemptsPerSecond", default: 0, in: .closed(0, Self.ratePerSecondMax))
    overRateBlockSeconds = try fields.number(
      "overRateBlockSeconds", default: Self.overRateBlockSecondsDefault,
      in: .closed(0, Self.overRateBlockSecondsMax))
    messagesPerSecondPerPeer = try fields.number(
      "messagesPerSecondPerPeer", default: 0, in: .closed(0, Self.ratePerSecondMax))
    banMisbehavingAggregators = try fields.bool("banMisbehavingAggregators", default: false)
    if peersPerAddressMax > 0, peersPerSubnetMax > 0, peersPerSubnetMax < peersPerAddressMax {
      throw .invalidCombination(
        path: fields.path(of: "peersPerSubnetMax"),
        reason: "\(peersPerSubnetMax) is below peersPerAddressMax (\(peersPerAddressMax)), "
          + "which a subnet contains")
    }
    owner = try Self.key(fields, "owner")
    let owner = owner
    let entries = try fields.list("allowList", default: [], countMax: Self.allowListCountMax) {
      (reader, key) throws(ConfigurationError) in
      try Self.entry(reader.object(key, knownFields: Self.entryFieldNames), owner: owner)
    }
    allowList = fields.contains("allowList") ? entries : nil
    if owner != nil, allowList == nil {
      throw .invalidCombination(
        path: fields.path(of: "owner"), reason: "an owner signs an allowList, and there is none")
    }
    if Set(entries.map(\.publicKey)).count != entries.count {
      throw .invalidCombination(
        path: fields.path(of: "allowList"), reason: "a key appears twice in the allow-list")
    }
  }

  /// An Ed25519 public key of 64 hexadecimal digits that is a usable point (it has an X25519
  /// form), or nil when absent.
  private static func key(_ fields: FieldReader, _ name: String) throws(ConfigurationError)
    -> PublicKey?
  {
    guard let text = try fields.optionalString(name, bytes: 1...200) else { return nil }
    guard let bytes = Identity.bytes(fromHexadecimal: text), let key = PublicKey(bytes: bytes),
      key.curveBytes() != nil
    else {
      throw .invalidValue(
        path: fields.path(of: name), value: text,
        allowed: "an Ed25519 public key: 64 hexadecimal digits (`starling keygen --json` prints "
          + "it as publicKey)")
    }
    return key
  }

  private static func entry(
    _ fields: FieldReader, owner: PublicKey?
  ) throws(ConfigurationError) -> AllowListEntry {
    try fields.require("key")
    let key = try Self.key(fields, "key")!
    guard let owner else {
      try fields.reject(["signature"]) { _ in "an entry is signed only when the list has an owner" }
      return AllowListEntry(publicKey: key, signature: nil)
    }
    try fields.require("signature")
    let text = try fields.string("signature", default: "", bytes: 1...200)
    guard let bytes = Identity.bytes(fromHexadecimal: text), let signature = Signature(bytes: bytes)
    else {
      throw .invalidValue(
        path: fields.path(of: "signature"), value: text,
        allowed: "an Ed25519 signature: 128 hexadecimal digits")
    }
    guard owner.verify(signature: signature, message: allowListMessage(for: key)) else {
      throw .invalidCombination(
        path: fields.path(of: "signature"),
        reason: "the signature does not verify against the owner's key \(owner)")
    }
    return AllowListEntry(publicKey: key, signature: signature)
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "proofOfWorkBits": .integer(UInt64(proofOfWorkBits)),
      "peersPerAddressMax": .integer(UInt64(peersPerAddressMax)),
      "peersPerSubnetMax": .integer(UInt64(peersPerSubnetMax)),
      "connectionAttemptsPerSecond": .double(connectionAttemptsPerSecond),
      "subnetConnectionAttemptsPerSecond": .double(subnetConnectionAttemptsPerSecond),
      "overRateBlockSeconds": .double(overRateBlockSeconds),
      "messagesPerSecondPerPeer": .double(messagesPerSecondPerPeer),
      "banMisbehavingAggregators": .bool(banMisbehavingAggregators),
    ]
    if let owner { members["owner"] = .string(owner.hexadecimal) }
    if let allowList {
      members["allowList"] = .array(
        allowList.map { entry in
          var fields: [String: JSONValue] = ["key": .string(entry.publicKey.hexadecimal)]
          if let signature = entry.signature {
            fields["signature"] = .string(Identity.hexadecimal(signature.bytes))
          }
          return .object(fields)
        })
    }
    return .object(members)
  }
}
