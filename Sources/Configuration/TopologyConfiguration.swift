/// The `topology` section: how peers are organised to train together.
public struct TopologyConfiguration: Sendable, Equatable {
  public enum Mode: String, Sendable, CaseIterable {
    /// A council (Raft group) elects the coordinator; its other members aggregate.
    case fdfl
    /// A fixed coordinator that also aggregates: the classic FL baseline.
    case federated
  }

  public let mode: Mode
  /// Council members (fdfl): the coordinator is elected among them.
  public let council: Int
  /// Aggregators per round, ranked among the council members; nil: all but the coordinator.
  public let aggregators: Int?
  /// Aggregators are re-ranked every this many committed rounds.
  public let rotateEvery: Int
  /// How long a round waits for its trainers before committing without the missing ones.
  public let roundDeadlineSeconds: Double
  /// Whether every peer runs SWIM failure detection.
  public let membership: Bool
  /// Whether the coordinator replaces council members that stay silent with live peers, and
  /// rotates one better-ranked trainer into the council per epoch.
  public let replaceCouncilMembers: Bool
  /// Whether, once per epoch, a better-ranked trainer joins the council and the lowest-ranked
  /// member retires.
  public let rotateCouncil: Bool
  /// Whether leadership is handed to each epoch's first-ranked council member.
  public let rankedCoordinator: Bool
  /// Whether council members train their own shards too (every shard is trained every round).
  public let councilTrains: Bool
  /// Committed rounds a peer outside the founding council must have trained in before it may
  /// join the council (replacement or rotation); 0: no wait.
  public let councilEligibleAfterRounds: Int

  static let councilDefault = 5
  static let councilRange = 1...101
  static let rotateEveryDefault = 10
  static let rotateEveryRange = 1...1_000_000
  static let roundDeadlineDefault = 120.0
  static let roundDeadlineInterval = Interval.closed(0.1, 86_400)
  static let fieldNames = [
    "mode", "council", "aggregators", "rotateEvery", "roundDeadlineSeconds", "membership",
    "replaceCouncilMembers", "rotateCouncil", "rankedCoordinator", "councilTrains",
    "councilEligibleAfterRounds",
  ]
}

extension TopologyConfiguration: ConfigurationSection {
  static let key = "topology"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    mode = try fields.choice("mode", default: .fdfl)
    if mode == .federated {
      try fields.reject(["council", "aggregators", "rotateEvery"]) { key in
        "\(key) applies to fdfl; federated has one fixed coordinator"
      }
    }
    council = try fields.integer(
      "council", default: mode == .federated ? 1 : Self.councilDefault, in: Self.councilRange)
    aggregators = try fields.optionalInteger("aggregators", in: 1...max(1, council - 1))
    if mode == .fdfl, council < 2, aggregators != nil {
      throw .invalidCombination(
        path: fields.path(of: "aggregators"), reason: "a council of 1 has no aggregators")
    }
    rotateEvery = try fields.integer(
      "rotateEvery", default: Self.rotateEveryDefault, in: Self.rotateEveryRange)
    roundDeadlineSeconds = try fields.number(
      "roundDeadlineSeconds", default: Self.roundDeadlineDefault, in: Self.roundDeadlineInterval)
    membership = try fields.bool("membership", default: false)
    replaceCouncilMembers = try fields.bool("replaceCouncilMembers", default: true)
    rotateCouncil = try fields.bool("rotateCouncil", default: true)
    rankedCoordinator = try fields.bool("rankedCoordinator", default: true)
    councilTrains = try fields.bool("councilTrains", default: false)
    councilEligibleAfterRounds = try fields.integer(
      "councilEligibleAfterRounds", default: 0, in: 0...1_000_000)
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "mode": .string(mode.rawValue), "roundDeadlineSeconds": .double(roundDeadlineSeconds),
      "membership": .bool(membership), "replaceCouncilMembers": .bool(replaceCouncilMembers),
      "rotateCouncil": .bool(rotateCouncil), "rankedCoordinator": .bool(rankedCoordinator),
      "councilTrains": .bool(councilTrains),
      "councilEligibleAfterRounds": .integer(UInt64(councilEligibleAfterRounds)),
    ]
    if mode == .fdfl {
      members["council"] = .integer(UInt64(council))
      members["rotateEvery"] = .integer(UInt64(rotateEvery))
      if let aggregators { members["aggregators"] = .integer(UInt64(aggregators)) }
    }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `topology` section.
  public var topology: TopologyConfiguration { section(TopologyConfiguration.self) }
}
