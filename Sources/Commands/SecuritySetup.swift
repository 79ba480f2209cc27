import Aggregation
import Configuration
import Node

/// The `security` section turned into what nodes run.
enum SecuritySetup {
  /// The pipeline a configuration entry names.
  static func pipeline(
    _ entry: SecurityConfiguration.Pipeline, security: SecurityConfiguration
  ) -> AggregationPipeline {
    let stages = entry.stages.map { name -> PreAggregationStage in
      switch name {
      case "nnm": .nearestNeighborMixing
      case "bucketing": .bucketing(size: security.bucketSize)
      default: .clipping(threshold: Float(security.clipThreshold))
      }
    }
    guard let kind = AggregationRuleKind(rawValue: entry.rule),
      let rule = AggregationRule(kind: kind)
    else { preconditionFailure("the configuration validated the rule name '\(entry.rule)'") }
    return AggregationPipeline(stages: stages, rules: [rule])
  }

  /// What the nodes run, or nil for plain FedAvg (a weighted mean, no momentum).
  static func nodeSecurity(
    _ security: SecurityConfiguration,
    pipelines entries: [SecurityConfiguration.Pipeline]? = nil,
    byzantineFraction: Double? = nil, usesMomentum: Bool? = nil
  ) -> NodeSecurity? {
    let entries = entries ?? security.aggregation
    let momentum =
      usesMomentum.map { $0 ? Float(security.workerMomentum ?? 0.9) : nil }
      ?? security.workerMomentum.map(Float.init)
    let isPlainMean = entries.allSatisfy { $0.stages.isEmpty && $0.rule == "mean" }
    if isPlainMean && momentum == nil { return nil }
    return NodeSecurity(
      pipelines: entries.map { pipeline($0, security: security) },
      byzantineFraction: byzantineFraction ?? security.byzantineFraction, workerMomentum: momentum)
  }
}
