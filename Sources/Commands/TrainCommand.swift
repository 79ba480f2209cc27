import Configuration
import Datasets
import Foundation
import Learning
import Platform
import Tensors

/// `starling train`: trains a model on this machine as the configuration describes, shows
/// progress, evaluates on the test set each epoch and writes a safetensors checkpoint.
struct TrainCommand {
  static let usage = """
    usage: starling train (--config FILE | --template NAME) [options]
      --epochs N            training.epochs
      --batch-size N        training.batchSize
      --learning-rate X     training.optimizer.learningRate
      --threads N           training.threads (compute threads; default: all cores)
      --model NAME          model.architecture (mlp, cnn-small, tiny-transformer)
      --seed N              model.seed
      --data PATH           data.path
      --train-limit N       data.trainLimit (use the first N training samples)
      --test-limit N        data.testLimit
      --checkpoint PATH     training.checkpoint
      --dp-noise X          training.privacy.noiseMultiplier (DP-SGD noise σ)
      --dp-clip C           training.privacy.clipNorm (per-example gradient bound)
      --dp-delta D          training.privacy.delta
      --epsilon-target E    training.privacy.epsilonBudget (calibrates σ when --dp-noise is absent)
      --set PATH=VALUE      any other field, e.g. --set training.schedule.kind=cosine
      --json                print one JSON object with the results as the last line
    """

  /// Flags that map one to one onto configuration fields.
  static let fieldFlags: [Arguments.FieldFlag] = [
    .value("epochs", "training.epochs"), .value("batch-size", "training.batchSize"),
    .value("learning-rate", "training.optimizer.learningRate"),
    .value("threads", "training.threads"), .value("model", "model.architecture"),
    .value("seed", "model.seed"), .value("data", "data.path"),
    .value("train-limit", "data.trainLimit"), .value("test-limit", "data.testLimit"),
    .value("checkpoint", "training.checkpoint"),
    .value("dp-noise", "training.privacy.noiseMultiplier"),
    .value("dp-clip", "training.privacy.clipNorm"), .value("dp-delta", "training.privacy.delta"),
    .value("epsilon-target", "training.privacy.epsilonBudget"),
  ]

  let configuration: ProjectConfiguration
  let isJSON: Bool
  /// What the run may allocate (`--max-memory`, and the machine's own bound).
  let memoryBudget: MemoryBudget

  /// Parses the command line into a validated configuration.
  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    try self.init(parsing: &arguments)
    try arguments.finish()
  }

  /// Takes the options every training command shares (`--config`, `--template`, the field flags
  /// with `extraFieldFlags`, `--set`, `--json`, `--max-memory`) from `arguments`; the caller
  /// takes its own options and calls `finish()`.
  /// `defaultTemplate` is used when neither `--config` nor `--template` is given.
  init(
    parsing arguments: inout Arguments, extraFieldFlags: [Arguments.FieldFlag] = [],
    defaultTemplate: String? = nil
  ) throws {
    isJSON = arguments.flag("json")
    memoryBudget = try arguments.memoryBudget()
    let path = try arguments.nonEmptyOption("config")
    let template = try arguments.nonEmptyOption("template") ?? (path == nil ? defaultTemplate : nil)
    let overrides = try arguments.overrides(Self.fieldFlags + extraFieldFlags)
    switch (path, template) {
    case (let path?, nil):
      configuration = try ProjectConfiguration.load(path: path, overrides: overrides)
    case (nil, let template?):
      configuration = try ProjectConfiguration.template(named: template, overrides: overrides)
    case (nil, nil): throw UsageError("give --config FILE or --template NAME\n\(Self.usage)")
    case (_?, _?): throw UsageError("give either --config or --template, not both")
    }
  }

  func run(output: Output) throws -> [String: Any] {
    // Before any work: a run must not be lost to a checkpoint path found unwritable at the end.
    try OutputError.checkFile(
      configuration.training.checkpoint, for: "checkpoint (training.checkpoint)")
    return try Parallel.withThreads(configuration.training.threadCount) {
      if configuration.model.architecture == .tinyTransformer {
        guard configuration.training.privacy == nil else {
          throw UsageError("training.privacy (DP-SGD) is not available for tiny-transformer yet")
        }
        return try TextTraining(
          configuration: configuration, output: output, memoryBudget: memoryBudget
        ).run()
      }
      if configuration.training.privacy != nil {
        return try PrivateImageTraining(
          configuration: configuration, output: output, memoryBudget: memoryBudget
        ).run()
      }
      return try ImageTraining(
        configuration: configuration, output: output, memoryBudget: memoryBudget
      ).run()
    }
  }
}

/// Per-epoch figures reported by `train`.
struct EpochReport {
  var epoch: Int
  var trainSeconds: Double
  var samplesPerSecond: Double
  var meanLoss: Double
  var testLoss: Double
  var testAccuracy: Double

  var json: [String: Any] {
    [
      "epoch": epoch, "trainSeconds": rounded(trainSeconds, 3),
      "samplesPerSecond": rounded(samplesPerSecond, 1),
      "meanLoss": rounded(meanLoss, 4), "testLoss": rounded(testLoss, 4),
      "testAccuracy": rounded(testAccuracy, 4),
    ]
  }
}

func rounded(_ value: Double, _ digits: Int) -> Double {
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  return (value * scale).rounded() / scale
}

/// Training of the image and feature models (`mlp`, `cnn-small`) on a labelled dataset.
struct ImageTraining {
  /// Samples per evaluation batch: large enough to keep GEMMs efficient, small enough that the
  /// activations of `cnn-small` stay a few tens of MB.
  static let evaluationBatchSize = 128

  let configuration: ProjectConfiguration
  let output: Output
  let memoryBudget: MemoryBudget

  func run() throws -> [String: Any] {
    let training = configuration.training
    let loadStart = ProcessMetrics.now()
    let (data, architecture) = try TrainingSetup.preparedData(
      configuration, output: output, memoryBudget: memoryBudget)
    let loadSeconds = ProcessMetrics.now() - loadStart
    let model = architecture.makeModel(seed: configuration.model.seed)
    let batchSize = training.batchSize
    let stepsPerEpoch = (data.train.count + batchSize - 1) / batchSize
    let trainer = TrainingSetup.trainer(configuration, model: model, stepsPerEpoch: stepsPerEpoch)
    output.line(
      "\(configuration.project.name): \(architecture.name) (\(model.parameterCount) parameters) on "
        + "\(data.train.count) training / \(data.test.count) test samples, batch \(batchSize), "
        + "\(training.epochs) epoch\(training.epochs == 1 ? "" : "s"), \(Parallel.threadCount) threads"
    )

    var generator = SeededGenerator(seed: configuration.model.seed &+ 0x5EED)
    var epochs: [EpochReport] = []
    var launchToFirstStep: Double?
    for epoch in 1...training.epochs {
      var order = Array(0..<data.train.count)
      order.shuffle(using: &generator)
      let progress = ProgressReporter(
        output: output, label: "epoch \(epoch)/\(training.epochs)", totalSamples: order.count)
      let start = ProcessMetrics.now()
      var lossSum = 0.0
      var batches = 0
      var first = 0
      while first < order.count {
        let indices = order[first..<min(first + batchSize, order.count)]
        let batch = data.train.batch(indices)
        let loss = trainer.train(inputs: batch.inputs, labels: batch.labels)
        try TrainingChecks.requireFinite(
          loss: Double(loss), epoch: epoch, step: batches + 1, configuration: configuration)
        if launchToFirstStep == nil { launchToFirstStep = ProcessMetrics.secondsSinceLaunch() }
        lossSum += Double(loss)
        batches += 1
        first += indices.count
        progress.update(samplesDone: first, loss: Float(lossSum / Double(batches)))
      }
      progress.finish()
      // A clock that does not move between two reads must not give an infinite speed.
      let seconds = max(ProcessMetrics.now() - start, 1e-6)
      let (testLoss, accuracy) = evaluate(trainer, on: data.test)
      let report = EpochReport(
        epoch: epoch, trainSeconds: seconds, samplesPerSecond: Double(order.count) / seconds,
        meanLoss: lossSum / Double(max(batches, 1)), testLoss: testLoss, testAccuracy: accuracy)
      epochs.append(report)
      output.line(
        "epoch \(epoch)/\(training.epochs)  loss \(format(report.meanLoss, digits: 4))  "
          + "test loss \(format(testLoss, digits: 4))  test accuracy \(format(accuracy, digits: 4))  "
          + "\(Int(report.samplesPerSecond)) samples/s  \(format(seconds, digits: 1)) s")
    }
    let final = epochs.last!
    try model.saveCheckpoint(
      to: training.checkpoint,
      metadata: [
        "architecture": architecture.name, "epochs": String(training.epochs),
        "testAccuracy": String(final.testAccuracy), "configuration": configuration.resolvedJSON(),
        "layout": "NHWC images; conv weights [out, kh, kw, in]; linear weights [out, in]",
      ])
    output.line(
      "final test accuracy \(format(final.testAccuracy, digits: 4)); checkpoint \(training.checkpoint)"
    )
    var result: [String: Any] = [
      "command": "train", "project": configuration.project.name, "model": architecture.name,
      "parameters": model.parameterCount, "threads": Parallel.threadCount, "batchSize": batchSize,
      "trainSamples": data.train.count, "testSamples": data.test.count,
      "epochs": epochs.map(\.json), "testAccuracy": rounded(final.testAccuracy, 4),
      "testLoss": rounded(final.testLoss, 4),
      "samplesPerSecond": rounded(final.samplesPerSecond, 1),
      "dataLoadSeconds": rounded(loadSeconds, 3), "checkpoint": training.checkpoint,
      "peakResidentMegabytes": rounded(ProcessMetrics.peakResidentMegabytes(), 1),
    ]
    if let launchToFirstStep { result["launchToFirstStepSeconds"] = rounded(launchToFirstStep, 3) }
    return result
  }

  /// Mean loss and top-1 accuracy over a dataset, in evaluation batches.
  func evaluate(_ trainer: Trainer, on dataset: LabeledDataset) -> (loss: Double, accuracy: Double)
  {
    guard dataset.count > 0 else { return (0, 0) }
    var lossSum = 0.0
    var correct = 0
    var first = 0
    while first < dataset.count {
      let batch = dataset.batch(first..<min(first + Self.evaluationBatchSize, dataset.count))
      let result = trainer.evaluate(inputs: batch.inputs, labels: batch.labels)
      lossSum += result.lossSum
      correct += result.correct
      first += Self.evaluationBatchSize
    }
    return (lossSum / Double(dataset.count), Double(correct) / Double(dataset.count))
  }
}
