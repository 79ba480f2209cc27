import Configuration
import Coordination
import Datasets
import Foundation
import Learning
import Node
import Platform
import Simulation
import Tensors
import Wire

/// `starling experiment`: the configuration's grid of aggregation pipelines x attacks x Byzantine
/// fractions x seeds, each cell a federated training in the simulator with real training on the
/// project's data. Writes a CSV of every round, a CSV of the final figures and SVG charts.
struct ExperimentCommand {
  static let usage = """
    usage: starling experiment --config FILE [--out DIRECTORY] [--set PATH=VALUE] [--json]
    Runs the `experiment` grid: for each pipeline (experiment.rules), attack (experiment.attacks),
    Byzantine fraction and seed, data.peers trainers hold data.partition shards and train
    training.rounds rounds with one fixed coordinator that aggregates with the pipeline; a share
    of the trainers attack. Writes DIRECTORY/rounds.csv, DIRECTORY/final.csv, one accuracy chart
    per attack and fraction, and DIRECTORY/final.svg (default directory: experiment-<project>).
    """

  /// Samples of the backdoor's attackers that carry the trigger.
  static let backdoorPoisonedShare = 0.5
  static let backdoorTarget: Int32 = 0

  let configuration: ProjectConfiguration
  let isJSON: Bool
  let directory: String
  let memoryBudget: MemoryBudget

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    let directory = try arguments.nonEmptyOption("out")
    let train = try TrainCommand(parsing: &arguments)
    try arguments.finish()
    configuration = train.configuration
    isJSON = train.isJSON
    memoryBudget = train.memoryBudget
    self.directory = directory ?? "experiment-\(configuration.project.name)"
  }

  struct Cell {
    var rule: String
    var attack: String
    var fraction: Double
    var seed: UInt64
  }

  func run(output: Output) throws -> [String: Any] {
    let grid = configuration.experiment
    var cells: [Cell] = []
    for rule in grid.rules {
      for attack in grid.attacks {
        // The clean run does not depend on the attackers' share: once, at the first fraction.
        for fraction in attack == "none" ? [grid.byzantineFractions[0]] : grid.byzantineFractions {
          for seed in grid.seeds {
            cells.append(Cell(rule: rule, attack: attack, fraction: fraction, seed: seed))
          }
        }
      }
    }
    try OutputError.checkDirectory(directory, for: "output directory (--out)")
    let data = try TrainingSetup.loadData(
      configuration.data, seed: configuration.model.seed, memoryBudget: memoryBudget)
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    try memoryBudget.check(
      SimulateCommand.memoryEstimate(
        peers: configuration.data.peers + 1, parameters: architecture.parameterCount,
        architecture: architecture, batchSize: configuration.training.batchSize))
    output.line(
      "experiment: \(cells.count) runs (\(grid.rules.count) pipelines x \(grid.attacks.count) attacks x "
        + "\(grid.byzantineFractions.count) fractions x \(grid.seeds.count) seeds), "
        + "\(configuration.data.peers) trainers, \(configuration.training.rounds) rounds each")
    var roundRows = ["rule,attack,byzantineFraction,seed,round,accuracy"]
    var finalRows = ["rule,attack,byzantineFraction,seed,finalAccuracy,backdoorSuccess,wallSeconds"]
    var results: [[String: Any]] = []
    var curves: [String: [SVGChart.Series]] = [:]
    for cell in cells {
      let started = ProcessMetrics.now()
      let result = try Parallel.withThreads(configuration.training.threadCount) {
        try runCell(cell, data: data)
      }
      let seconds = ProcessMetrics.now() - started
      for (round, accuracy) in result.accuracies.enumerated() {
        roundRows.append(
          "\(cell.rule),\(cell.attack),\(cell.fraction),\(cell.seed),\(round + 1),\(format(accuracy, digits: 4))"
        )
      }
      let backdoor = result.backdoorSuccess.map { format($0, digits: 4) } ?? ""
      finalRows.append(
        "\(cell.rule),\(cell.attack),\(cell.fraction),\(cell.seed),\(format(result.finalAccuracy, digits: 4)),\(backdoor),\(format(seconds, digits: 1))"
      )
      output.line(
        "\(cell.rule)  \(cell.attack)  f=\(cell.fraction)  seed \(cell.seed): accuracy \(format(result.finalAccuracy, digits: 4))"
          + (result.backdoorSuccess.map { "  backdoor success \(format($0, digits: 4))" } ?? "")
          + "  (\(format(seconds, digits: 1)) s)")
      if cell.seed == grid.seeds[0] {
        curves["\(cell.attack)-\(cell.fraction)", default: []].append(
          SVGChart.Series(
            name: cell.rule,
            points: result.accuracies.enumerated().map { (Double($0.offset + 1), $0.element) }))
      }
      var entry: [String: Any] = [
        "rule": cell.rule, "attack": cell.attack, "byzantineFraction": cell.fraction,
        "seed": cell.seed, "finalAccuracy": rounded(result.finalAccuracy, 4),
        "wallSeconds": rounded(seconds, 1),
      ]
      if let success = result.backdoorSuccess { entry["backdoorSuccess"] = rounded(success, 4) }
      results.append(entry)
    }
    try writeOutputs(roundRows: roundRows, finalRows: finalRows, curves: curves, results: results)
    output.line("wrote \(directory)/rounds.csv, \(directory)/final.csv and charts")
    return ["command": "experiment", "directory": directory, "runs": results]
  }

  private func writeOutputs(
    roundRows: [String], finalRows: [String], curves: [String: [SVGChart.Series]],
    results: [[String: Any]]
  ) throws {
    func write(_ text: String, _ name: String) throws(OutputError) {
      try OutputError.write(text, to: "\(directory)/\(name)", for: "experiment output")
    }
    try write(roundRows.joined(separator: "\n") + "\n", "rounds.csv")
    try write(finalRows.joined(separator: "\n") + "\n", "final.csv")
    for (name, series) in curves {
      let chart = SVGChart(
        title:
          "Accuracy per round, attack \(name.replacingOccurrences(of: "-", with: ", Byzantine fraction "))",
        xLabel: "round", yLabel: "test accuracy", series: series)
      try write(chart.render(), "accuracy-\(name).svg")
    }
    // Final accuracy per rule (one line each) across the attacks, in grid order.
    let grid = configuration.experiment
    let finals = grid.rules.map { rule in
      SVGChart.Series(
        name: rule,
        points: grid.attacks.enumerated().compactMap { position, attack in
          let values = results.filter {
            // The clean run exists at the first fraction only.
            $0["rule"] as? String == rule && $0["attack"] as? String == attack
              && (attack == "none"
                || $0["byzantineFraction"] as? Double == grid.byzantineFractions.last)
          }.compactMap { $0["finalAccuracy"] as? Double }
          guard !values.isEmpty else { return nil }
          return (Double(position + 1), values.reduce(0, +) / Double(values.count))
        })
    }
    let chart = SVGChart(
      title:
        "Final accuracy per rule; x = attack (\(grid.attacks.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", "))), f = \(grid.byzantineFractions.last ?? 0)",
      xLabel: "attack", yLabel: "final test accuracy", series: finals)
    try write(chart.render(), "final.svg")
  }

  struct CellResult {
    var accuracies: [Double]
    var finalAccuracy: Double
    var backdoorSuccess: Double?
  }

  /// One training: data.peers trainers on Dirichlet (or the configured) shards, a coordinator
  /// with no data, a share of attackers chosen by the seed.
  private func runCell(_ cell: Cell, data: TrainTestSplit) throws -> CellResult {
    let trainers = configuration.data.peers
    let attack = ByzantineAttack(rawValue: cell.attack)
    let attackerCount = attack == nil ? 0 : Int((cell.fraction * Double(trainers)).rounded(.down))
    var generator = SeededGenerator(seed: cell.seed ^ 0xA77AC4)
    let attackers = Array((1...trainers).shuffled(using: &generator).prefix(attackerCount)).sorted()
    let parts = try TrainingSetup.partitioning(configuration.data.partition).partition(
      labels: data.train.labels, classCount: data.train.classCount, peerCount: trainers,
      seed: cell.seed)
    var shards = [data.train.subset([])] + parts.map { data.train.subset($0) }
    for attacker in attackers {
      switch attack {
      case .labelFlip?: shards[attacker] = shards[attacker].flippingLabels()
      case .backdoor?: shards[attacker] = Self.backdoorShard(shards[attacker])
      default: break
      }
    }
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    let model = architecture.makeModel(seed: configuration.model.seed)
    let optimizer = configuration.training.optimizer
    let honest = ShardTraining(
      model: model, shards: shards, test: data.test, batchSize: configuration.training.batchSize,
      learningRate: Float(optimizer.learningRate), momentum: Float(optimizer.momentum),
      localSteps: configuration.training.localSteps, seed: cell.seed)
    let training: any TrainingBackend =
      attack.map {
        ByzantineTraining(honest: honest, attackers: attackers, attack: $0, seed: cell.seed)
      }
      ?? honest
    let gridRule = ExperimentConfiguration.gridRule(cell.rule)
    guard case .success(let pipeline) = SecurityConfiguration.pipeline(gridRule.pipeline) else {
      preconditionFailure("the configuration validated '\(cell.rule)'")
    }
    var node = NodeSettings(
      mode: .federated,
      plan: RoundPlan(trainersPerRound: trainers, roundDurationMilliseconds: 3_600_000),
      modelLength: training.modelLength, council: [PeerID(simulatedIndex: 0)])
    node.security = try SecuritySetup.nodeSecurity(
      configuration, samplingRate: 1, pipelines: [pipeline], byzantineFraction: cell.fraction,
      usesMomentum: gridRule.usesMomentum, usesReputation: gridRule.usesReputation)
    let settings = SimulationSettings(
      seed: cell.seed, peerCount: trainers + 1, node: node, rounds: configuration.training.rounds,
      samplesPerSecond: Array(repeating: 5_000, count: trainers + 1))
    let report = Simulator(
      settings: settings, training: training, initialModel: model.flattenedParameters()
    ).run()
    let accuracies = report.rounds.map { $0.accuracy ?? 0 }
    var backdoorSuccess: Double?
    if attack == .backdoor || cell.attack == "none" {
      // Success: triggered test images of other classes classified as the target.
      let triggered = data.test.excludingLabel(Self.backdoorTarget).withTrigger(
        target: Self.backdoorTarget)
      let evaluator = ShardTraining(
        model: architecture.makeModel(seed: configuration.model.seed), shards: [],
        test: triggered, batchSize: 256, learningRate: 0, momentum: 0, localSteps: nil, seed: 0)
      let final = report.finalModel ?? model.flattenedParameters()
      backdoorSuccess = evaluator.accuracy(of: final)
    }
    return CellResult(
      accuracies: accuracies, finalAccuracy: accuracies.last ?? 0, backdoorSuccess: backdoorSuccess)
  }

  /// An attacker's backdoor shard: half its images carry the trigger and the target label.
  static func backdoorShard(_ shard: LabeledDataset) -> LabeledDataset {
    let poisonedCount = Int(Double(shard.count) * backdoorPoisonedShare)
    guard poisonedCount > 0 else { return shard }
    let poisoned = shard.subset(Array(0..<poisonedCount)).withTrigger(target: backdoorTarget)
    let clean = shard.subset(Array(poisonedCount..<shard.count))
    return LabeledDataset.concatenating([poisoned, clean])
  }
}
