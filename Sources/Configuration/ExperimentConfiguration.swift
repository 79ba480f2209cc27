/// The `experiment` section: the grid `starling experiment` runs in the simulator (pipelines x
/// attacks x Byzantine fractions x seeds), each cell a whole federated training.
public struct ExperimentConfiguration: Sendable, Equatable {
  /// Pipelines to compare (`security.aggregation` syntax); a `momentum+` prefix turns on
  /// client-side worker momentum (beta from `security.workerMomentum`, 0.9 when unset), a
  /// `reputation+` prefix trainer reputation at the aggregator (see `GridRule`).
  public let rules: [String]
  /// Attacks by name, `none` for the clean run.
  public let attacks: [String]
  public let byzantineFractions: [Double]
  public let seeds: [UInt64]

  public static let attackNames = [
    "none", "signflip", "gaussian", "labelflip", "alie", "ipm", "adaptive", "backdoor", "freerider",
    "noisefreerider", "abstain",
  ]
  static let listMax = 64
  static let fieldNames = ["rules", "attacks", "byzantineFractions", "seeds"]

  /// A grid rule: the pipeline and what the grid turns on beside it.
  public struct GridRule: Sendable, Equatable {
    /// `momentum+`: client-side worker momentum.
    public var usesMomentum = false
    /// `reputation+`: trainer reputation at the aggregator (`security.reputationDecay`, 0.8 when
    /// unset).
    public var usesReputation = false
    /// The pipeline text (`security.aggregation` syntax).
    public var pipeline: String
  }

  /// Splits a grid rule (`momentum+reputation+nnm+centeredclip`) into its prefixes, in any
  /// order, and its pipeline text.
  public static func gridRule(_ text: String) -> GridRule {
    var rule = GridRule(pipeline: text)
    while true {
      if rule.pipeline.hasPrefix("momentum+") {
        rule.usesMomentum = true
        rule.pipeline.removeFirst("momentum+".count)
      } else if rule.pipeline.hasPrefix("reputation+") {
        rule.usesReputation = true
        rule.pipeline.removeFirst("reputation+".count)
      } else {
        return rule
      }
    }
  }
}

extension ExperimentConfiguration: ConfigurationSection {
  static let key = "experiment"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    rules = try fields.list(
      "rules", default: ["mean", "median", "momentum+nnm+centeredclip"], countMax: Self.listMax
    ) { element, key throws(ConfigurationError) in
      let text = try element.string(key, default: "")
      if case .failure(let error) = SecurityConfiguration.pipeline(
        Self.gridRule(text).pipeline)
      {
        throw .invalidValue(path: element.path(of: key), value: text, allowed: error.reason)
      }
      return text
    }
    attacks = try fields.list(
      "attacks", default: ["none", "signflip", "gaussian", "labelflip", "alie", "ipm"],
      countMax: Self.listMax
    ) { element, key throws(ConfigurationError) in
      let name = try element.string(key, default: "")
      guard Self.attackNames.contains(name) else {
        throw .invalidValue(
          path: element.path(of: key), value: name,
          allowed: Self.attackNames.joined(separator: ", "))
      }
      return name
    }
    byzantineFractions = try fields.list(
      "byzantineFractions", default: [0.2, 0.3], countMax: Self.listMax
    ) { element, key throws(ConfigurationError) in
      try element.number(key, default: 0, in: .upperOpen(0, 0.5))
    }
    seeds = try fields.list("seeds", default: [1], countMax: Self.listMax) {
      element, key throws(ConfigurationError) in
      try element.unsignedInteger(key, default: 1)
    }
  }

  var jsonValue: JSONValue {
    .object([
      "rules": .array(rules.map { .string($0) }),
      "attacks": .array(attacks.map { .string($0) }),
      "byzantineFractions": .array(byzantineFractions.map { .double($0) }),
      "seeds": .array(seeds.map { .integer($0) }),
    ])
  }
}

extension ProjectConfiguration {
  /// The `experiment` section.
  public var experiment: ExperimentConfiguration { section(ExperimentConfiguration.self) }
}
