import Configuration
import Datasets
import Learning
import Platform
import Privacy
import Tensors

/// `train` with `training.privacy`: DP-SGD with Poisson sampling, an RDP accountant, and a stop
/// before any step that would take ε above `epsilonBudget`.
///
/// Each step takes every training example independently with probability q = batchSize / N
/// (so batches vary around `batchSize`), which is the sampling the accountant assumes; an epoch
/// is ceil(N / batchSize) steps. The clipped per-example gradients of a step are summed in
/// chunks of `chunkSize` examples, then noised once and divided by qN.
struct PrivateImageTraining {
  /// Examples per forward/backward pass inside one step (bounds memory, not the batch).
  static let chunkSize = 1024

  let configuration: ProjectConfiguration
  let output: Output
  let memoryBudget: MemoryBudget

  /// The settings of one private run, fixed before it starts.
  struct Plan {
    var samplingRate: Double
    var stepsPerEpoch: Int
    var noiseMultiplier: Double
    var isNoiseCalibrated: Bool
    var clipNorm: Double
    var delta: Double
    var epsilonBudget: Double?
  }

  func plan(trainCount: Int) throws -> Plan {
    let training = configuration.training
    let privacy = training.privacy!
    guard training.batchSize <= trainCount else {
      throw UsageError("batchSize \(training.batchSize) exceeds the \(trainCount) training samples")
    }
    let samplingRate = Double(training.batchSize) / Double(trainCount)
    let stepsPerEpoch = (trainCount + training.batchSize - 1) / training.batchSize
    var noiseMultiplier = privacy.noiseMultiplier ?? 0
    if privacy.noiseMultiplier == nil {
      noiseMultiplier = try NoiseCalibration.noiseMultiplier(
        targetEpsilon: privacy.epsilonBudget!, samplingRate: samplingRate,
        steps: stepsPerEpoch * training.epochs, delta: privacy.delta)
    }
    return Plan(
      samplingRate: samplingRate, stepsPerEpoch: stepsPerEpoch, noiseMultiplier: noiseMultiplier,
      isNoiseCalibrated: privacy.noiseMultiplier == nil, clipNorm: privacy.clipNorm,
      delta: privacy.delta, epsilonBudget: privacy.epsilonBudget)
  }

  func run() throws -> [String: Any] {
    let training = configuration.training
    let loadStart = ProcessMetrics.now()
    let (data, architecture) = try TrainingSetup.preparedData(
      configuration, output: output, memoryBudget: memoryBudget)
    let loadSeconds = ProcessMetrics.now() - loadStart
    let plan = try plan(trainCount: data.train.count)
    let model = architecture.makeModel(seed: configuration.model.seed)
    let trainer = PrivateTrainer(
      model: model, optimizer: TrainingSetup.optimizer(training.optimizer),
      learningRate: Float(training.optimizer.learningRate),
      schedule: TrainingSetup.schedule(
        training.schedule, totalSteps: training.epochs * plan.stepsPerEpoch),
      clipNorm: Float(plan.clipNorm), noiseMultiplier: Float(plan.noiseMultiplier),
      seed: configuration.model.seed)
    output.line(
      "\(configuration.project.name): DP-SGD \(architecture.name) (\(model.parameterCount) "
        + "parameters) on \(data.train.count) samples, Poisson rate \(format(plan.samplingRate, digits: 5)) "
        + "(expected batch \(training.batchSize)), σ \(format(plan.noiseMultiplier, digits: 4))"
        + "\(plan.isNoiseCalibrated ? " (calibrated)" : ""), C \(plan.clipNorm), "
        + "δ \(plan.delta), \(training.epochs) epochs of \(plan.stepsPerEpoch) steps")

    var budget = PrivacyBudget(epsilonBudget: plan.epsilonBudget ?? .infinity, delta: plan.delta)
    var generator = SeededGenerator(seed: configuration.model.seed &+ 0x5EED)
    var epochs: [[String: Any]] = []
    var stopReason: PrivacyError?
    var lastAccuracy = 0.0
    for epoch in 1...training.epochs {
      let start = ProcessMetrics.now()
      let (report, stop) = try trainEpoch(
        trainer, on: data.train, plan: plan, budget: &budget, epoch: epoch, generator: &generator)
      stopReason = stop
      let seconds = max(ProcessMetrics.now() - start, 1e-6)
      let (testLoss, accuracy) = evaluate(trainer, on: data.test)
      lastAccuracy = accuracy
      let epsilon = budget.spentEpsilon
      let examples = Double(max(report.exampleCount, 1))
      output.line(
        "epoch \(epoch)/\(training.epochs)  loss \(format(report.lossSum / examples, digits: 4))  "
          + "test accuracy \(format(accuracy, digits: 4))  ε \(format(epsilon, digits: 3))  "
          + "clipped \(format(Double(report.clippedCount) / examples, digits: 2))  "
          + "\(format(seconds, digits: 1)) s")
      epochs.append([
        "epoch": epoch, "trainSeconds": rounded(seconds, 3), "testLoss": rounded(testLoss, 4),
        "testAccuracy": rounded(accuracy, 4), "epsilon": rounded(epsilon, 4),
        "steps": budget.accountant.stepCount,
      ])
      if let stopReason {
        output.line("stopped: \(stopReason)")
        break
      }
    }
    let guarantee = budget.accountant.guarantee(delta: plan.delta)
    let classic = budget.accountant.guarantee(delta: plan.delta, conversion: .classic)
    output.line(
      "final test accuracy \(format(lastAccuracy, digits: 4)) at ε = \(format(guarantee.epsilon, digits: 3)), "
        + "δ = \(plan.delta) (classic conversion: ε = \(format(classic.epsilon, digits: 3)))")
    try model.saveCheckpoint(
      to: training.checkpoint,
      metadata: [
        "architecture": architecture.name, "testAccuracy": String(lastAccuracy),
        "epsilon": String(guarantee.epsilon), "delta": String(plan.delta),
        "configuration": configuration.resolvedJSON(),
      ])
    let privacy = summary(of: budget, plan: plan, stopReason: stopReason)
    return [
      "command": "train", "project": configuration.project.name, "model": architecture.name,
      "parameters": model.parameterCount, "threads": Parallel.threadCount,
      "batchSize": training.batchSize, "trainSamples": data.train.count,
      "testSamples": data.test.count, "epochs": epochs, "testAccuracy": rounded(lastAccuracy, 4),
      "dataLoadSeconds": rounded(loadSeconds, 3), "checkpoint": training.checkpoint,
      "privacy": privacy, "epsilon": rounded(guarantee.epsilon, 4),
      "peakResidentMegabytes": rounded(ProcessMetrics.peakResidentMegabytes(), 1),
    ]
  }

  /// The `privacy` object of the JSON result.
  func summary(of budget: PrivacyBudget, plan: Plan, stopReason: PrivacyError?) -> [String: Any] {
    let guarantee = budget.accountant.guarantee(delta: plan.delta)
    let classic = budget.accountant.guarantee(delta: plan.delta, conversion: .classic)
    var privacy: [String: Any] = [
      "epsilon": rounded(guarantee.epsilon, 4), "delta": plan.delta,
      "epsilonClassic": rounded(classic.epsilon, 4), "order": guarantee.order,
      "conversion": EpsilonConversion.hypothesisTesting.rawValue,
      "noiseMultiplier": rounded(plan.noiseMultiplier, 6), "clipNorm": plan.clipNorm,
      "samplingRate": plan.samplingRate, "sampling": "poisson",
      "steps": budget.accountant.stepCount, "noiseCalibrated": plan.isNoiseCalibrated,
    ]
    if let epsilonBudget = plan.epsilonBudget { privacy["epsilonBudget"] = epsilonBudget }
    if let stopReason { privacy["stopReason"] = stopReason.description }
    return privacy
  }

  /// One epoch of `plan.stepsPerEpoch` steps, each charged to `budget` first; stops early, with
  /// the reason, when the budget refuses a step.
  func trainEpoch(
    _ trainer: PrivateTrainer, on train: LabeledDataset, plan: Plan, budget: inout PrivacyBudget,
    epoch: Int, generator: inout SeededGenerator
  ) throws(TrainingError) -> (report: ClippedBatchReport, stopReason: PrivacyError?) {
    var epochReport = ClippedBatchReport()
    for step in 0..<plan.stepsPerEpoch {
      do {
        try budget.spend(samplingRate: plan.samplingRate, noiseMultiplier: plan.noiseMultiplier)
      } catch {
        return (epochReport, error)
      }
      let indices = poissonSample(count: train.count, rate: plan.samplingRate, using: &generator)
      for first in stride(from: 0, to: indices.count, by: Self.chunkSize) {
        let chunk = train.batch(indices[first..<min(first + Self.chunkSize, indices.count)])
        trainer.accumulate(inputs: chunk.inputs, labels: chunk.labels)
      }
      let stepReport = trainer.applyNoisyUpdate(
        expectedBatchSize: plan.samplingRate * Double(train.count))
      try TrainingChecks.requireFinite(
        loss: stepReport.lossSum, epoch: epoch, step: step + 1, configuration: configuration)
      epochReport.add(stepReport)
    }
    return (epochReport, nil)
  }

  /// The indices that enter one step: each of `count` independently with probability `rate`.
  func poissonSample(count: Int, rate: Double, using generator: inout SeededGenerator) -> [Int] {
    var indices: [Int] = []
    indices.reserveCapacity(Int(Double(count) * rate * 1.2) + 16)
    for index in 0..<count where Double(generator.next() >> 11) * 0x1p-53 < rate {
      indices.append(index)
    }
    return indices
  }

  func evaluate(_ trainer: PrivateTrainer, on dataset: LabeledDataset) -> (Double, Double) {
    guard dataset.count > 0 else { return (0, 0) }
    var (lossSum, correct, first) = (0.0, 0, 0)
    while first < dataset.count {
      let batch = dataset.batch(
        first..<min(first + ImageTraining.evaluationBatchSize, dataset.count))
      let result = trainer.evaluate(inputs: batch.inputs, labels: batch.labels)
      lossSum += result.lossSum
      correct += result.correct
      first += ImageTraining.evaluationBatchSize
    }
    return (lossSum / Double(dataset.count), Double(correct) / Double(dataset.count))
  }
}
