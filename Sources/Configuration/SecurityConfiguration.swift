/// The `security` section: how the project defends its model against Byzantine trainers.
///
/// `aggregation` is a fallback list of pipelines: an aggregator uses the first that can run over
/// its group. A pipeline is written as names joined by `+`: optional pre-aggregation stages
/// (`nnm`, `bucketing`, `clip`) in order, then one rule (`mean`, `median`, `trimmedmean`, `krum`,
/// `multikrum`, `bulyan`, `geomedian`, `centeredclip`, `flame`).
public struct SecurityConfiguration: Sendable, Equatable {
  /// One pipeline: stages, then a rule (configuration names).
  public struct Pipeline: Sendable, Equatable, CustomStringConvertible {
    public let stages: [String]
    public let rule: String
    public var description: String { (stages + [rule]).joined(separator: "+") }
  }

  public let aggregation: [Pipeline]
  /// The share of a group's trainers assumed Byzantine: f = floor(fraction * n).
  public let byzantineFraction: Double
  /// Client-side worker momentum beta; nil: off.
  public let workerMomentum: Double?
  /// Bucket size of the `bucketing` stage.
  public let bucketSize: Int
  /// L2 norm threshold of the `clip` stage.
  public let clipThreshold: Double
  /// The coordinator's rule over the aggregators' partial means (`mean`: their weighted mean).
  public let partialAggregation: String
  /// What an aggregator sees of its group: `updates` (each one, so robust rules run there) or
  /// `sums` (only the group's sum, as under secure aggregation: the pipelines then run at the
  /// coordinator over the group sums).
  public let aggregatorsSee: AggregatorView
  /// Trainer reputation at the aggregators: the decay of each trainer's moving average of
  /// cosines with the aggregate (a trainer whose average stays negative is left out); nil: off.
  public let reputationDecay: Double?
  /// The share of plain-sum signed partials the coordinator audits: it asks the aggregator for
  /// the signed updates and recomputes the sum (0: none).
  public let auditFraction: Double
  static let auditFractionDefault = 0.1
  /// Client-level differential privacy: aggregators clip each update to `clipNorm`, the
  /// coordinator adds Gaussian noise (`noiseMultiplier` x `clipNorm`, over the mean) and stops
  /// before a round that would take epsilon past `epsilonBudget`; nil: off.
  public let privacy: PrivacyConfiguration?
  /// Local differential privacy: each trainer clips its update to `clipNorm` and adds Gaussian
  /// noise (`noiseMultiplier` x `clipNorm`) before sending it; nil: off.
  public let localPrivacy: PrivacyConfiguration?
  /// Which peers a listening node admits, and how fast (`security.admission`); all off by
  /// default.
  public let admission: AdmissionConfiguration

  /// What an aggregator sees of its group.
  public enum AggregatorView: String, Sendable, CaseIterable {
    case updates
    case sums
  }

  public static let ruleNames = [
    "mean", "median", "trimmedmean", "krum", "multikrum", "bulyan", "geomedian", "centeredclip",
    "flame",
  ]
  public static let stageNames = ["nnm", "bucketing", "clip"]
  static let pipelinesMax = 16
  static let fieldNames = [
    "aggregation", "byzantineFraction", "workerMomentum", "bucketSize", "clipThreshold",
    "partialAggregation", "aggregatorsSee", "reputationDecay", "privacy", "localPrivacy",
    "admission", "auditFraction",
  ]

  /// Why a text is not a pipeline.
  public struct PipelineSyntaxError: Error, Equatable {
    public let reason: String
  }

  /// Parses `text` (`nnm+centeredclip`) into a pipeline, or explains why it is not one.
  public static func pipeline(_ text: String) -> Result<Pipeline, PipelineSyntaxError> {
    let names = text.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
    guard let rule = names.last, ruleNames.contains(rule) else {
      return .failure(
        PipelineSyntaxError(
          reason: "a pipeline ends with one rule (\(ruleNames.joined(separator: ", ")))"))
    }
    let stages = Array(names.dropLast())
    if let unknown = stages.first(where: { !stageNames.contains($0) }) {
      return .failure(
        PipelineSyntaxError(
          reason:
            "'\(unknown)' is not a pre-aggregation stage (\(stageNames.joined(separator: ", ")))"))
    }
    return .success(Pipeline(stages: stages, rule: rule))
  }
}

extension SecurityConfiguration: ConfigurationSection {
  static let key = "security"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    aggregation = try fields.list(
      "aggregation", default: [Pipeline(stages: [], rule: "mean")], countMax: Self.pipelinesMax
    ) { element, key throws(ConfigurationError) in
      let text = try element.string(key, default: "")
      switch Self.pipeline(text) {
      case .success(let pipeline): return pipeline
      case .failure(let error):
        throw .invalidValue(path: element.path(of: key), value: text, allowed: error.reason)
      }
    }
    byzantineFraction = try fields.number(
      "byzantineFraction", default: 0, in: .upperOpen(0, 0.5))
    workerMomentum = try fields.optionalNumber("workerMomentum", in: .upperOpen(0, 1))
    bucketSize = try fields.integer("bucketSize", default: 2, in: 1...1024)
    clipThreshold = try fields.number("clipThreshold", default: 1, in: .lowerOpen(0, 1e9))
    partialAggregation = try fields.string("partialAggregation", default: "mean")
    guard Self.ruleNames.contains(partialAggregation) else {
      throw .invalidValue(
        path: fields.path(of: "partialAggregation"), value: partialAggregation,
        allowed: Self.ruleNames.joined(separator: ", "))
    }
    let view = try fields.string("aggregatorsSee", default: AggregatorView.updates.rawValue)
    guard let aggregatorsSee = AggregatorView(rawValue: view) else {
      throw .invalidValue(
        path: fields.path(of: "aggregatorsSee"), value: view,
        allowed: AggregatorView.allCases.map(\.rawValue).joined(separator: ", "))
    }
    self.aggregatorsSee = aggregatorsSee
    reputationDecay = try fields.optionalNumber("reputationDecay", in: .open(0, 1))
    auditFraction = try fields.number(
      "auditFraction", default: Self.auditFractionDefault, in: .closed(0, 1))
    privacy =
      fields.contains("privacy")
      ? try PrivacyConfiguration(
        reading: fields.object("privacy", knownFields: PrivacyConfiguration.fieldNames)) : nil
    localPrivacy =
      fields.contains("localPrivacy")
      ? try PrivacyConfiguration(
        reading: fields.object("localPrivacy", knownFields: PrivacyConfiguration.fieldNames))
      : nil
    admission = try AdmissionConfiguration(
      reading: fields.object("admission", knownFields: AdmissionConfiguration.fieldNames))
    if let localPrivacy, localPrivacy.noiseMultiplier == nil {
      throw .invalidCombination(
        path: fields.path(of: "localPrivacy"),
        reason: "local privacy needs noiseMultiplier (its budget is per trainer, not calibrated)")
    }
    if aggregatorsSee == .sums, reputationDecay != nil {
      throw .invalidCombination(
        path: fields.path(of: "reputationDecay"),
        reason: "reputation scores each update at its aggregator, which sees only sums here")
    }
    if aggregatorsSee == .sums, privacy != nil {
      throw .invalidCombination(
        path: fields.path(of: "aggregatorsSee"),
        reason:
          "client-level privacy clips each update at its aggregator, which an aggregator that "
          + "sees only sums cannot do")
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "aggregation": .array(aggregation.map { .string($0.description) }),
      "byzantineFraction": .double(byzantineFraction), "bucketSize": .integer(UInt64(bucketSize)),
      "clipThreshold": .double(clipThreshold),
      "partialAggregation": .string(partialAggregation),
      "aggregatorsSee": .string(aggregatorsSee.rawValue),
    ]
    if let privacy { members["privacy"] = privacy.jsonValue }
    if let localPrivacy { members["localPrivacy"] = localPrivacy.jsonValue }
    // Left out when off, so that the project ID of a configuration without it stays as it was.
    if !admission.isOff { members["admission"] = admission.jsonValue }
    if let workerMomentum { members["workerMomentum"] = .double(workerMomentum) }
    if let reputationDecay { members["reputationDecay"] = .double(reputationDecay) }
    // Left out at its default, as `admission` when off.
    if auditFraction != Self.auditFractionDefault {
      members["auditFraction"] = .double(auditFraction)
    }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `security` section.
  public var security: SecurityConfiguration { section(SecurityConfiguration.self) }
}
