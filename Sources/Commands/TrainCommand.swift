import Configuration
import Datasets
import Foundation
import Learning
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
  static let fieldFlags: [(flag: String, path: String)] = [
    ("epochs", "training.epochs"), ("batch-size", "training.batchSize"),
    ("learning-rate", "training.optimizer.learningRate"), ("threads", "training.threads"),
    ("model", "model.architecture"), ("seed", "model.seed"), ("data", "data.path"),
    ("train-limit", "data.trainLimit"), ("test-limit", "data.testLimit"),
    ("checkpoint", "training.checkpoint"), ("dp-noise", "training.privacy.noiseMultiplier"),
    ("dp-clip", "training.privacy.clipNorm"), ("dp-delta", "training.privacy.delta"),
    ("epsilon-target", "training.privacy.epsilonBudget"),
  ]

  let configuration: ProjectConfiguration
  let isJSON: Bool

  /// Parses the command line into a validated configuration.
  init(arguments raw: [String]) throws {
    var assignments: [String] = []
    var rest: [String] = []
    var index = 0
    while index < raw.count {
      if raw[index] == "--set", index + 1 < raw.count {
        assignments.append(raw[index + 1])
        index += 2
      } else {
        rest.append(raw[index])
        index += 1
      }
    }
    var arguments = try Arguments(rest, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    let path = arguments.option("config")
    let template = arguments.option("template")
    var overrides: [ConfigurationOverride] = []
    for (flag, field) in Self.fieldFlags {
      if let value = arguments.option(flag) {
        overrides.append(ConfigurationOverride(path: field, value: value))
      }
    }
    for assignment in assignments {
      overrides.append(try ConfigurationOverride(assignment: assignment))
    }
    try arguments.finish()
    if let unexpected = arguments.positional.first {
      throw UsageError("unexpected argument '\(unexpected)'")
    }
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
    try Parallel.withThreads(configuration.training.threadCount) {
      if configuration.model.architecture == .tinyTransformer {
        guard configuration.training.privacy == nil else {
          throw UsageError("training.privacy (DP-SGD) is not available for tiny-transformer yet")
        }
        return try TextTraining(configuration: configuration, output: output).run()
      }
      if configuration.training.privacy != nil {
        return try PrivateImageTraining(configuration: configuration, output: output).run()
      }
      return try ImageTraining(configuration: configuration, output: output).run()
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

  func run() throws -> [String: Any] {
    let training = configuration.training
    let loadStart = ProcessMetrics.now()
    let (data, architecture) = try TrainingSetup.preparedData(configuration, output: output)
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
        if launchToFirstStep == nil { launchToFirstStep = ProcessMetrics.secondsSinceLaunch() }
        lossSum += Double(loss)
        batches += 1
        first += indices.count
        progress.update(samplesDone: first, loss: Float(lossSum / Double(batches)))
      }
      progress.finish()
      let seconds = ProcessMetrics.now() - start
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
