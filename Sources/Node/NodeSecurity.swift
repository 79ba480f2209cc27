import Aggregation
import Coordination
import Privacy
import Tensors
import Wire

/// How a project defends its model against Byzantine trainers: robust aggregation at the
/// aggregators, with fallbacks, and client-side worker momentum.
public struct NodeSecurity: Sendable, Equatable {
  /// Aggregation pipelines in order of preference: an aggregator uses the first that can run over
  /// its group (pre-aggregation stages and rule requirements hold) and logs why it skipped the
  /// others. When none can run, it falls back to the weighted mean and says so.
  public var pipelines: [AggregationPipeline]
  /// The share of a group's trainers assumed Byzantine: f = floor(fraction * n).
  public var byzantineFraction: Double
  /// Client-side worker momentum (m <- beta m + (1 - beta) delta, sent instead of the delta);
  /// nil: off.
  public var workerMomentum: Float?
  /// The coordinator's robust rule over the aggregators' partial means; nil: their weighted mean.
  public var partialRule: AggregationRule?
  /// Client-level differential privacy: aggregators clip each update to `clipNorm` and weight
  /// every trainer equally, the coordinator adds Gaussian noise to the mean and stops before a
  /// round that would take epsilon past the budget.
  public var centralPrivacy: CentralPrivacy?
  /// The coordinator's outer optimizer over the aggregated delta; nil: the delta is applied as is.
  public var outerOptimizer: OuterOptimizerKind?
  /// Local differential privacy: each trainer clips its update and adds Gaussian noise before
  /// sending it, so no aggregator sees a raw update; nil: off.
  public var localPrivacy: GaussianMechanism?
  /// Whether aggregators see only their group's sum, as under secure aggregation. Per-update
  /// stages and rules cannot run over one sum, so the pipelines move up a level: the coordinator
  /// runs them over the group sums (each partial's mean) and logs that it did and why.
  /// Client-level privacy still clips each update at the aggregator; the configuration refuses
  /// that combination.
  public var aggregatorsSeeOnlySums = false
  /// Trainer reputation at each aggregator (`ReputationBook`): the decay of the moving average of
  /// each trainer's cosine with the aggregate; a trainer whose average stays negative is left
  /// out. nil: off. It needs each update, so the configuration refuses it with `"sums"`.
  public var reputationDecay: Double?

  public init(
    pipelines: [AggregationPipeline], byzantineFraction: Double, workerMomentum: Float? = nil
  ) {
    precondition((0..<0.5).contains(byzantineFraction), "the Byzantine fraction is in [0, 0.5)")
    self.pipelines = pipelines
    self.byzantineFraction = byzantineFraction
    self.workerMomentum = workerMomentum
  }

  /// Whether any pipeline does more than a weighted mean.
  var isRobust: Bool { pipelines.contains { !$0.stages.isEmpty || $0.rules != [.mean] } }

  /// Whether aggregators must keep each update (anything but a plain mean needs them, unless
  /// they see only sums).
  var needsIndividualUpdates: Bool {
    centralPrivacy != nil || reputationDecay != nil || (isRobust && !aggregatorsSeeOnlySums)
  }

  /// Whether the coordinator combines partials itself (anything but their weighted mean).
  var needsCoordinatorCombination: Bool {
    partialRule != nil || centralPrivacy != nil || outerOptimizer != nil
      || (isRobust && aggregatorsSeeOnlySums)
  }

  /// The first of `pipelines` that can run over `inputs`, with why each before it could not;
  /// nil values when none can.
  static func firstRunnable(
    _ pipelines: [AggregationPipeline], over inputs: [Update], byzantineCount: Int,
    previousAggregate: [Float]?, globalModel: [Float]?, seed: UInt64
  ) -> (values: [Float]?, report: String, skipped: [String]) {
    var skipped: [String] = []
    for pipeline in pipelines {
      var generator = SeededGenerator(seed: seed)
      do {
        let result = try pipeline.aggregate(
          inputs, tolerating: byzantineCount, previousAggregate: previousAggregate,
          globalModel: globalModel, generator: &generator)
        return (result.values, result.report.description, skipped)
      } catch {
        skipped.append(String(describing: error))
      }
    }
    return (nil, "", skipped)
  }

  /// The weighted mean of `inputs`.
  static func weightedMean(_ inputs: [Update], dimension: Int) -> [Float] {
    let total = inputs.reduce(Float(0)) { $0 + $1.weight }
    var mean = [Float](repeating: 0, count: dimension)
    for input in inputs {
      let scale = input.weight / total
      for index in mean.indices { mean[index] += scale * input.values[index] }
    }
    return mean
  }

  /// The group's robust aggregate delta, and what happened, for the log.
  /// - Complexity: that of the pipeline that runs.
  func combine(
    _ updates: [GroupAggregation.ContributedUpdate], previousAggregate: [Float]?,
    globalModel: [Float]? = nil, seed: UInt64
  ) -> (values: [Float], report: String) {
    let inputs = updates.enumerated().map { position, update in
      guard let privacy = centralPrivacy else {
        return Update(values: update.values, weight: Float(update.weight), sender: position)
      }
      // Client-level DP: each trainer counts once, its update clipped to the bound.
      return Update(
        values: Clipping.clipped(update.values, toNorm: privacy.clipNorm).vector, weight: 1,
        sender: position)
    }
    let byzantineCount = Int((byzantineFraction * Double(inputs.count)).rounded(.down))
    let outcome = Self.firstRunnable(
      pipelines, over: inputs, byzantineCount: byzantineCount,
      previousAggregate: previousAggregate, globalModel: globalModel, seed: seed)
    let skipped = outcome.skipped.joined(separator: "; ")
    if let values = outcome.values {
      return (values, outcome.report + (skipped.isEmpty ? "" : "; skipped: " + skipped))
    }
    // Nothing could run (too few updates for every rule): the weighted mean, said plainly.
    return (
      Self.weightedMean(inputs, dimension: updates.first?.values.count ?? 0),
      "no rule could run, weighted mean used; skipped: " + skipped
    )
  }
}

/// Client-level differential privacy at the aggregating side (DP-FedAvg): clip each update,
/// Gaussian noise on the mean, a Rényi accountant over rounds.
public struct CentralPrivacy: Sendable, Hashable {
  public var clipNorm: Double
  public var noiseMultiplier: Double
  public var delta: Double
  public var epsilonBudget: Double?

  public init(clipNorm: Double, noiseMultiplier: Double, delta: Double, epsilonBudget: Double?) {
    precondition(clipNorm > 0 && noiseMultiplier > 0 && delta > 0, "privacy parameters")
    self.clipNorm = clipNorm
    self.noiseMultiplier = noiseMultiplier
    self.delta = delta
    self.epsilonBudget = epsilonBudget
  }

  /// Epsilon after `rounds` rounds, each sampling trainers at `samplingRate` (Poisson
  /// subsampling is the accountant's assumption; a fixed-size sample is its usual stand-in).
  public func epsilon(afterRounds rounds: Int, samplingRate: Double) -> Double {
    NodeSecurity.epsilon(
      steps: rounds, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, delta: delta)
  }
}

extension NodeSecurity {
  /// Epsilon at `delta` of `steps` Gaussian mechanisms with `noiseMultiplier`, each subsampled
  /// at `samplingRate` (0 steps: 0).
  public static func epsilon(
    steps: Int, samplingRate: Double, noiseMultiplier: Double, delta: Double
  ) -> Double {
    guard steps > 0 else { return 0 }
    var accountant = RDPAccountant()
    accountant.compose(steps: steps, samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    return accountant.epsilon(delta: delta)
  }

  /// Epsilon at `delta` of one trainer that sent `updates` updates privatized by `mechanism`:
  /// each is a Gaussian mechanism with noise multiplier sigma / 2 (sensitivity 2C), unsampled.
  public static func localEpsilon(
    _ mechanism: GaussianMechanism, updates: Int, delta: Double
  ) -> Double {
    epsilon(
      steps: updates, samplingRate: 1,
      noiseMultiplier: mechanism.localAccountingNoiseMultiplier, delta: delta)
  }
}

/// The coordinator's outer optimizer over the aggregated delta (the pseudo-gradient's negation).
public enum OuterOptimizerKind: Sendable, Hashable {
  case fedAvg(learningRate: Float)
  case fedAvgM(learningRate: Float, momentum: Float)
  case fedAdam(learningRate: Float)
  case fedYogi(learningRate: Float)
  case nesterov(learningRate: Float, momentum: Float)

  /// Whether a step depends only on the model and the delta (FedAvg); the others keep momentum
  /// or moments from round to round, which a council that checks its coordinator replicates
  /// (`RoundCommit.outerState`).
  var isStateless: Bool {
    if case .fedAvg = self { true } else { false }
  }

  /// An optimizer of this kind that goes on from `state` (`OuterOptimizer.state`); nil when
  /// no optimizer of this kind returns such a vector.
  func make(restoring state: [Float]) -> (any OuterOptimizer)? {
    var optimizer = make()
    guard (try? optimizer.restore(state: state)) != nil else { return nil }
    return optimizer
  }

  func make() -> any OuterOptimizer {
    switch self {
    case .fedAvg(let rate): FedAvgOptimizer(learningRate: rate)
    case .fedAvgM(let rate, let momentum): FedAvgMOptimizer(learningRate: rate, momentum: momentum)
    case .fedAdam(let rate): FedAdaptiveOptimizer(variant: .adam, learningRate: rate)
    case .fedYogi(let rate): FedAdaptiveOptimizer(variant: .yogi, learningRate: rate)
    case .nesterov(let rate, let momentum):
      NesterovOuterOptimizer(learningRate: rate, momentum: momentum)
    }
  }
}

extension NodeSecurity {
  /// The coordinator's side: the aggregate delta of the partials and what happened, for the log.
  /// The rule over the partial means is `partialRule`; without one, when aggregators see only
  /// sums, the project's pipelines move up to run here over the group sums; otherwise, or when
  /// nothing can run, the weighted mean. Central noise follows when private.
  /// - Parameters:
  ///   - previousAggregate: the last round's combined delta (CenteredClip's warm start).
  ///   - globalModel: the round's base model (FLAME clusters the models it gives).
  /// - Complexity: that of the rule that runs; O(a d) for the weighted mean of a partials.
  func combinePartials(
    _ partials: [RoundCoordinator.Partial], previousAggregate: [Float]? = nil,
    globalModel: [Float]? = nil, seed: UInt64
  ) -> (values: [Float], report: String) {
    let means = partials.enumerated().map { position, partial in
      Update(
        values: partial.values.map { $0 / Float(partial.weight) }, weight: Float(partial.weight),
        sender: position)
    }
    let totalWeight = partials.reduce(UInt64(0)) { $0 + $1.weight }
    let dimension = partials[0].values.count
    var delta: [Float]
    var report: String
    let candidates: [AggregationPipeline]
    var reason = ""
    if let rule = partialRule {
      candidates = [AggregationPipeline(rules: [rule])]
    } else if aggregatorsSeeOnlySums && isRobust {
      candidates = pipelines
      reason =
        "the aggregators see only their group sums, so the pipelines run here over "
        + "\(partials.count) group sums; "
    } else {
      candidates = []
    }
    let outcome = Self.firstRunnable(
      candidates, over: means,
      byzantineCount: Int((byzantineFraction * Double(means.count)).rounded(.down)),
      previousAggregate: previousAggregate.flatMap { $0.count == dimension ? $0 : nil },
      globalModel: globalModel.flatMap { $0.count == dimension ? $0 : nil }, seed: seed)
    let skipped = outcome.skipped.joined(separator: "; ")
    if let values = outcome.values {
      delta = values
      report = reason + outcome.report + (skipped.isEmpty ? "" : "; skipped: " + skipped)
    } else {
      var sum = [Float](repeating: 0, count: dimension)
      let scale = 1 / Float(totalWeight)
      for partial in partials {
        for index in sum.indices { sum[index] += scale * partial.values[index] }
      }
      delta = sum
      report =
        candidates.isEmpty
        ? "weighted mean of \(partials.count) partials"
        : reason + "no rule could run over the partials, weighted mean used; skipped: " + skipped
    }
    if let privacy = centralPrivacy {
      var generator = SeededGenerator(seed: seed)
      // The mean of clipped updates, each trainer weighted 1: sensitivity clipNorm / n.
      GaussianSampler.addNoise(
        to: &delta,
        standardDeviation: privacy.noiseMultiplier * privacy.clipNorm / Double(totalWeight),
        using: &generator)
      report += "; Gaussian noise, multiplier \(privacy.noiseMultiplier)"
    }
    return (delta, report)
  }
}
