import Aggregation
import Coordination
import Tensors
import Wire

/// How a project defends its model against Byzantine trainers: robust aggregation at the
/// aggregators, with fallbacks, and client-side worker momentum.
public struct NodeSecurity: Sendable, Hashable {
  /// Aggregation pipelines in order of preference: an aggregator uses the first that can run over
  /// its group (pre-aggregation stages and rule requirements hold) and logs why it skipped the
  /// others. When none can run, it falls back to the weighted mean and says so.
  public var pipelines: [AggregationPipeline]
  /// The share of a group's trainers assumed Byzantine: f = floor(fraction * n).
  public var byzantineFraction: Double
  /// Client-side worker momentum (m <- beta m + (1 - beta) delta, sent instead of the delta);
  /// nil: off.
  public var workerMomentum: Float?

  public init(
    pipelines: [AggregationPipeline], byzantineFraction: Double, workerMomentum: Float? = nil
  ) {
    precondition((0..<0.5).contains(byzantineFraction), "the Byzantine fraction is in [0, 0.5)")
    self.pipelines = pipelines
    self.byzantineFraction = byzantineFraction
    self.workerMomentum = workerMomentum
  }

  /// Whether aggregators must keep each update (anything but a plain mean needs them).
  var needsIndividualUpdates: Bool {
    pipelines.contains { !$0.stages.isEmpty || $0.rules != [.mean] }
  }

  /// The group's robust aggregate delta, and what happened, for the log.
  /// - Complexity: that of the pipeline that runs.
  func combine(
    _ updates: [GroupAggregation.ContributedUpdate], previousAggregate: [Float]?,
    seed: UInt64
  ) -> (values: [Float], report: String) {
    let inputs = updates.enumerated().map { position, update in
      Update(values: update.values, weight: Float(update.weight), sender: position)
    }
    let byzantineCount = Int((byzantineFraction * Double(inputs.count)).rounded(.down))
    var skipped: [String] = []
    for pipeline in pipelines {
      var generator = SeededGenerator(seed: seed)
      do {
        let result = try pipeline.aggregate(
          inputs, tolerating: byzantineCount, previousAggregate: previousAggregate,
          generator: &generator)
        let note = skipped.isEmpty ? "" : "; skipped: " + skipped.joined(separator: "; ")
        return (result.values, "\(result.report)\(note)")
      } catch {
        skipped.append(String(describing: error))
      }
    }
    // Nothing could run (too few updates for every rule): the weighted mean, said plainly.
    let total = inputs.reduce(Float(0)) { $0 + $1.weight }
    var mean = [Float](repeating: 0, count: updates.first?.values.count ?? 0)
    for input in inputs {
      let scale = input.weight / total
      for index in mean.indices { mean[index] += scale * input.values[index] }
    }
    return (
      mean, "no rule could run, weighted mean used; skipped: " + skipped.joined(separator: "; ")
    )
  }

  /// `combine` with no history and a fixed seed, for tests.
  public func combineForTesting(_ updates: [GroupAggregation.ContributedUpdate]) -> (
    values: [Float], report: String
  ) {
    combine(updates, previousAggregate: nil, seed: 1)
  }
}
