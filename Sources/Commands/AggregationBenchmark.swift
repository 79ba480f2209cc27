import Aggregation
import Foundation
import Platform
import Tensors

/// `starling bench --aggregation`: times each aggregation rule and pre-aggregation stage on
/// synthetic updates, for comparison with `Benchmarks/aggregation_reference.py` (NumPy).
struct AggregationBenchmark {
  static let usage = """
    usage: starling bench --aggregation [--updates N] [--parameters D] [--byzantine F]
                          [--threads N] [--repeats N] [--rules a,b,...] [--seed N] [--json]
    Times every rule over N synthetic updates of D parameters (default 100 x 1,000,000, F = N/10,
    2 threads) and prints the median seconds of --repeats runs (default 3) per rule.
    """

  /// Rules and stages timed, by configuration name, in this order.
  static let allNames = [
    "mean", "median", "trimmedmean", "krum", "multikrum", "bulyan", "geomedian", "centeredclip",
    "flame", "nnm", "bucketing", "clip",
  ]

  let updateCount: Int
  let parameterCount: Int
  let byzantineCount: Int
  let threads: Int
  let repeats: Int
  let names: [String]
  let seed: UInt64
  let isJSON: Bool
  let memoryBudget: MemoryBudget

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json", "aggregation"])
    _ = arguments.flag("aggregation")
    isJSON = arguments.flag("json")
    updateCount = try arguments.integer("updates", in: 1...AggregationLimits.updateCountMax) ?? 100
    parameterCount = try arguments.integer("parameters", in: 1...100_000_000) ?? 1_000_000
    byzantineCount = try arguments.integer("byzantine", in: 0...512) ?? updateCount / 10
    threads = try arguments.integer("threads", in: 1...256) ?? 2
    repeats = try arguments.integer("repeats", in: 1...100) ?? 3
    seed = try arguments.unsigned("seed") ?? 0
    names =
      try arguments.option("rules").map { text throws(UsageError) in
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !names.contains("") else {
          throw UsageError(
            "--rules must list rule names separated by commas, got '\(text)'; known: "
              + Self.allNames.joined(separator: ", "))
        }
        return names
      } ?? Self.allNames
    memoryBudget = try arguments.memoryBudget()
    try arguments.finish()
    for name in names where !Self.allNames.contains(name) {
      throw UsageError("unknown rule '\(name)'; known: \(Self.allNames.joined(separator: ", "))")
    }
  }

  /// Honest updates: uniform noise around a shared direction, one sender each.
  func makeUpdates() -> [Update] {
    var generator = SeededGenerator(seed: seed)
    let center = (0..<parameterCount).map { _ in generator.nextUnitFloat() - 0.5 }
    return (0..<updateCount).map { sender in
      let values = center.map { $0 + 0.5 * (generator.nextUnitFloat() - 0.5) }
      return Update(values: values, sender: sender)
    }
  }

  /// What the benchmark allocates: the updates, a working copy that the coordinate-wise rules
  /// and FLAME make, and the pairwise distances of the geometric rules.
  var memoryEstimate: MemoryEstimate {
    var estimate = MemoryEstimate(
      purpose: "bench --aggregation",
      hint: "lower --updates or --parameters")
    estimate.add("updates", product: [updateCount, parameterCount])
    estimate.add("a working copy of the updates", product: [updateCount, parameterCount])
    estimate.add("pairwise distances", product: [updateCount, updateCount], bytesPerElement: 8)
    estimate.add("the centre and previous model", product: [2, parameterCount])
    return estimate
  }

  func run(output: Output) throws {
    try memoryBudget.check(memoryEstimate)
    let updates = makeUpdates()
    let previous = updates[0].values.map { $0 * 0.5 }
    var seconds: [String: Double] = [:]
    try Parallel.withThreads(threads) {
      for name in names {
        var samples: [Double] = []
        for repeatIndex in 0..<repeats {
          var generator = SeededGenerator(seed: seed &+ UInt64(repeatIndex))
          let clock = ContinuousClock()
          let start = clock.now
          try runRule(name, updates: updates, previous: previous, generator: &generator)
          let elapsed = clock.now - start
          samples.append(
            Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let median = samples.sorted()[samples.count / 2]
        seconds[name] = median
        output.line(
          "\(name.padding(toLength: 13, withPad: " ", startingAt: 0)) "
            + String(format: "%8.3f s", median))
      }
    }
    if isJSON {
      output.json([
        "command": "bench-aggregation", "updates": updateCount, "parameters": parameterCount,
        "byzantine": byzantineCount, "threads": threads, "repeats": repeats, "seconds": seconds,
      ])
    }
  }

  func runRule(
    _ name: String, updates: [Update], previous: [Float], generator: inout SeededGenerator
  ) throws {
    let f = byzantineCount
    switch name {
    case "mean": _ = try AggregationRules.weightedMean(updates)
    case "median": _ = try AggregationRules.coordinateWiseMedian(updates)
    case "trimmedmean": _ = try AggregationRules.trimmedMean(updates, trimming: f)
    case "krum": _ = try AggregationRules.krum(updates, byzantineCount: f)
    case "multikrum": _ = try AggregationRules.multiKrum(updates, byzantineCount: f)
    case "bulyan": _ = try AggregationRules.bulyan(updates, byzantineCount: f)
    case "geomedian": _ = try AggregationRules.geometricMedian(updates)
    case "centeredclip":
      _ = try AggregationRules.centeredClip(updates, previousAggregate: previous)
    case "flame": _ = try AggregationRules.flame(updates, generator: &generator)
    case "nnm": _ = try PreAggregation.nearestNeighborMixing(updates, byzantineCount: f)
    case "bucketing": _ = try PreAggregation.bucketing(updates, size: 2, generator: &generator)
    case "clip": _ = try PreAggregation.clipping(updates, threshold: 100)
    default: throw UsageError("unknown rule '\(name)'")
    }
  }
}
