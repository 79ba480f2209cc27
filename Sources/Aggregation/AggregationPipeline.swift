import Tensors

/// Pre-aggregation stages, then the first rule of a fallback list that can run.
///
/// This is the aggregator's (and the coordinator's) entry point: `aggregate` validates the
/// updates, runs the stages in order, picks the rule, runs it, and says what happened in an
/// `AggregationReport` for the log.
public struct AggregationPipeline: Sendable, Hashable {
  /// Stages run in order before the rule.
  public var stages: [PreAggregationStage]
  /// Rules in order of preference; the first whose requirement holds runs.
  public var rules: [AggregationRule]

  public init(stages: [PreAggregationStage] = [], rules: [AggregationRule]) {
    self.stages = stages
    self.rules = rules
  }

  /// The first rule that can run over `updateCount` updates with `byzantineCount` Byzantine ones,
  /// and why each rule before it was skipped.
  public func selectRule(updateCount: Int, byzantineCount: Int)
    -> (rule: AggregationRule?, skipped: [String])
  {
    var skipped: [String] = []
    for rule in rules {
      guard
        let reason = rule.requirementFailure(
          updateCount: updateCount, byzantineCount: byzantineCount)
      else { return (rule, skipped) }
      skipped.append(reason)
    }
    return (nil, skipped)
  }

  /// Aggregates `updates` assuming up to `byzantineCount` of their senders are Byzantine.
  /// - Parameters:
  ///   - previousAggregate: the last round's aggregate delta (CenteredClip's warm start).
  ///   - generator: randomness for bucketing and FLAME's noise.
  /// - Complexity: that of the stages and the rule that runs (see `AggregationRule.complexity`).
  /// - Parameter globalModel: the model the updates were trained from (FLAME clusters the local
  ///   models it gives, as in the paper); nil: FLAME clusters the updates themselves.
  public func aggregate(
    _ updates: [Update], tolerating byzantineCount: Int, previousAggregate: [Float]? = nil,
    globalModel: [Float]? = nil, generator: inout SeededGenerator
  ) throws(AggregationError) -> AggregationResult {
    let dimension = try Update.validate(updates)
    if let previousAggregate {
      try Update.validateReference(previousAggregate, dimension: dimension)
    }
    if let globalModel { try Update.validateReference(globalModel, dimension: dimension) }
    guard byzantineCount >= 0 else {
      throw .invalidParameter("the Byzantine count must not be negative")
    }
    var report = AggregationReport(inputCount: updates.count, byzantineCount: byzantineCount)
    var current = updates
    var byzantine = byzantineCount
    for stage in stages {
      if let reason = stage.requirementFailure(
        updateCount: current.count, byzantineCount: byzantine)
      {
        throw .requirementNotMet(rule: stage.kind, reason: reason)
      }
      let after = stage.countsAfter(updateCount: current.count, byzantineCount: byzantine)
      current = try Self.run(
        stage, current, byzantineCount: byzantine, generator: &generator, report: &report)
      byzantine = after.byzantine
      report.stages.append(stage.kind)
    }
    let (chosen, skipped) = selectRule(updateCount: current.count, byzantineCount: byzantine)
    report.skippedRules = skipped
    guard let rule = chosen else { throw .noRunnableRule(reasons: skipped) }
    report.rule = rule.kind
    report.ruleInputCount = current.count
    report.ruleByzantineCount = byzantine
    let values = try Self.run(
      rule, current, byzantineCount: byzantine, previousAggregate: previousAggregate,
      globalModel: globalModel, generator: &generator, report: &report)
    return AggregationResult(values: values, report: report)
  }

  static func run(
    _ stage: PreAggregationStage, _ updates: [Update], byzantineCount: Int,
    generator: inout SeededGenerator, report: inout AggregationReport
  ) throws(AggregationError) -> [Update] {
    switch stage {
    case .nearestNeighborMixing:
      return try PreAggregation.nearestNeighborMixing(updates, byzantineCount: byzantineCount)
    case .bucketing(let size):
      let (buckets, members) = try PreAggregation.bucketing(
        updates, size: size, generator: &generator)
      report.notes.append("buckets (senders): \(members)")
      return buckets
    case .clipping(let threshold):
      let (clipped, senders) = try PreAggregation.clipping(updates, threshold: threshold)
      report.clippedSenders += senders
      return clipped
    }
  }

  static func run(
    _ rule: AggregationRule, _ updates: [Update], byzantineCount f: Int,
    previousAggregate: [Float]?, globalModel: [Float]? = nil, generator: inout SeededGenerator,
    report: inout AggregationReport
  ) throws(AggregationError) -> [Float] {
    let senders = updates.map(\.sender)
    func accept(_ indices: [Int]) {
      report.acceptedSenders = indices.map { senders[$0] }
      let kept = Set(indices)
      report.rejectedSenders = senders.indices.filter { !kept.contains($0) }.map { senders[$0] }
    }
    switch rule {
    case .mean:
      return try AggregationRules.weightedMean(updates)
    case .median:
      return try AggregationRules.coordinateWiseMedian(updates)
    case .trimmedMean:
      return try AggregationRules.trimmedMean(updates, trimming: f)
    case .krum, .multiKrum, .bulyan:
      let outcome: SelectionOutcome
      switch rule {
      case .krum: outcome = try AggregationRules.krum(updates, byzantineCount: f)
      case .multiKrum(let count):
        outcome = try AggregationRules.multiKrum(updates, byzantineCount: f, selectionCount: count)
      default: outcome = try AggregationRules.bulyan(updates, byzantineCount: f)
      }
      accept(outcome.selectedIndices)
      return outcome.values
    case .geometricMedian(let options):
      let outcome = try AggregationRules.geometricMedian(updates, options: options)
      report.notes.append("geomedian: \(outcome.iterations) Weiszfeld iterations")
      return outcome.values
    case .centeredClip(let options):
      let outcome = try AggregationRules.centeredClip(
        updates, previousAggregate: previousAggregate, options: options)
      report.clippedSenders += outcome.clippedIndices.map { senders[$0] }
      return outcome.values
    case .flame(let options):
      let outcome = try AggregationRules.flame(
        updates, globalModel: globalModel, options: options, generator: &generator)
      accept(outcome.acceptedIndices)
      report.clippedSenders += outcome.clippedIndices.map { senders[$0] }
      report.notes.append(
        "flame: clipping bound \(outcome.clippingBound), noise sd \(outcome.noiseStandardDeviation)"
      )
      return outcome.values
    }
  }
}

/// The aggregate and what the pipeline did to produce it.
public struct AggregationResult: Sendable, Equatable {
  public var values: [Float]
  public var report: AggregationReport
}

/// What an aggregation did, for logs and the dashboard. Senders are the `sender` fields of the
/// updates the rule saw (bucket indices after bucketing).
public struct AggregationReport: Sendable, Equatable, CustomStringConvertible {
  /// The rule that ran.
  public var rule: AggregationRuleKind = .mean
  /// The pre-aggregation stages that ran, in order.
  public var stages: [AggregationRuleKind] = []
  /// Updates given to the pipeline.
  public var inputCount: Int
  /// Byzantine senders assumed by the caller.
  public var byzantineCount: Int
  /// Updates the rule saw (fewer than `inputCount` after bucketing).
  public var ruleInputCount = 0
  /// Byzantine updates the rule assumed.
  public var ruleByzantineCount = 0
  /// Why each rule before the chosen one could not run.
  public var skippedRules: [String] = []
  /// Senders the rule built the aggregate from, for rules that select (Krum, FLAME...).
  public var acceptedSenders: [Int]?
  /// Senders the rule left out.
  public var rejectedSenders: [Int] = []
  /// Senders whose update was scaled down (by a clipping stage or the rule).
  public var clippedSenders: [Int] = []
  /// Other facts worth logging.
  public var notes: [String] = []

  public var description: String {
    var parts = [
      "rule \(rule.rawValue) over \(ruleInputCount) of \(inputCount) updates (f = \(byzantineCount))"
    ]
    if !stages.isEmpty { parts.append("after " + stages.map(\.rawValue).joined(separator: ", ")) }
    if !skippedRules.isEmpty { parts.append("skipped: " + skippedRules.joined(separator: "; ")) }
    if let acceptedSenders { parts.append("accepted \(acceptedSenders)") }
    if !rejectedSenders.isEmpty { parts.append("rejected \(rejectedSenders)") }
    if !clippedSenders.isEmpty { parts.append("clipped \(clippedSenders)") }
    return (parts + notes).joined(separator: "; ")
  }
}
