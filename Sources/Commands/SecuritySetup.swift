import Aggregation
import Configuration
import Node
import Privacy

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

  /// What the nodes run, or nil for plain FedAvg (a weighted mean, no momentum, no privacy, no
  /// outer optimizer). `samplingRate` is the share of trainers a round samples (for calibrating
  /// client-level noise to a budget).
  static func nodeSecurity(
    _ configuration: ProjectConfiguration, samplingRate: Double,
    pipelines entries: [SecurityConfiguration.Pipeline]? = nil,
    byzantineFraction: Double? = nil, usesMomentum: Bool? = nil, usesReputation: Bool? = nil
  ) throws -> NodeSecurity? {
    let security = configuration.security
    let entries = entries ?? security.aggregation
    let momentum =
      usesMomentum.map { $0 ? Float(security.workerMomentum ?? 0.9) : nil }
      ?? security.workerMomentum.map(Float.init)
    var node = NodeSecurity(
      pipelines: entries.map { pipeline($0, security: security) },
      byzantineFraction: byzantineFraction ?? security.byzantineFraction, workerMomentum: momentum)
    if security.partialAggregation != "mean" {
      node.partialRule = AggregationRuleKind(rawValue: security.partialAggregation)
        .flatMap(AggregationRule.init(kind:))
    }
    node.outerOptimizer = outerOptimizer(configuration.training.outer)
    node.aggregatorsSeeOnlySums = security.aggregatorsSee == .sums
    node.reputationDecay =
      usesReputation.map { $0 ? security.reputationDecay ?? 0.8 : nil } ?? security.reputationDecay
    if let privacy = security.privacy {
      let noise =
        try privacy.noiseMultiplier
        ?? NoiseCalibration.noiseMultiplier(
          targetEpsilon: privacy.epsilonBudget!, samplingRate: samplingRate,
          steps: configuration.training.rounds, delta: privacy.delta)
      node.centralPrivacy = CentralPrivacy(
        clipNorm: privacy.clipNorm, noiseMultiplier: noise, delta: privacy.delta,
        epsilonBudget: privacy.epsilonBudget)
    }
    if let local = security.localPrivacy, let noise = local.noiseMultiplier {
      node.localPrivacy = GaussianMechanism(clipNorm: local.clipNorm, noiseMultiplier: noise)
    }
    let isPlainMean = entries.allSatisfy { $0.stages.isEmpty && $0.rule == "mean" }
    let isPlain =
      isPlainMean && momentum == nil && node.partialRule == nil && node.outerOptimizer == nil
      && node.centralPrivacy == nil && node.localPrivacy == nil && node.reputationDecay == nil
    return isPlain ? nil : node
  }

  /// The outer optimizer, or nil for FedAvg with learning rate 1 (the delta applied as is).
  static func outerOptimizer(_ outer: OuterOptimizerConfiguration) -> OuterOptimizerKind? {
    let rate = Float(outer.learningRate)
    let momentum = Float(outer.momentum)
    switch outer.kind {
    case .fedavg: return rate == 1 ? nil : .fedAvg(learningRate: rate)
    case .fedavgm: return .fedAvgM(learningRate: rate, momentum: momentum)
    case .fedadam: return .fedAdam(learningRate: rate)
    case .fedyogi: return .fedYogi(learningRate: rate)
    case .nesterov: return .nesterov(learningRate: rate, momentum: momentum)
    }
  }
}
