import Configuration
import Datasets
import Learning
import Platform
import Tensors

/// Training of `tiny-transformer` on a text file: next-character prediction on random windows,
/// evaluated on the last tenth of the text.
struct TextTraining {
  /// Validation windows evaluated per epoch, at most.
  static let validationWindowsMax = 64
  /// Characters sampled from the model after training, to show what it learned.
  static let sampleLength = 160

  let configuration: ProjectConfiguration
  let output: Output
  let memoryBudget: MemoryBudget

  func run() throws -> [String: Any] {
    guard let path = configuration.data.path else { throw UsageError("text data needs data.path") }
    let corpus = try TextCorpus.load(path: path)
    let context = configuration.model.contextLength
    let cut = corpus.tokens.count - corpus.tokens.count / 10
    let (train, validation) = (corpus.tokens[..<cut], corpus.tokens[cut...])
    guard train.count > context + 1, validation.count > context + 1 else {
      throw UsageError(
        "\(path): \(corpus.tokens.count) characters is too short for a context of \(context)")
    }
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: [context], classCount: corpus.vocabularySize,
      vocabularySize: corpus.vocabularySize)
    try memoryBudget.check(
      TrainingChecks.memoryEstimate(
        configuration, architecture: architecture, sampleElements: context,
        datasetBytes: corpus.tokens.count * 4))
    let model = architecture.makeModel(seed: configuration.model.seed)
    let training = configuration.training
    let batchSize = training.batchSize
    let stepsPerEpoch = max(1, train.count / (batchSize * context))
    let trainer = TrainingSetup.trainer(configuration, model: model, stepsPerEpoch: stepsPerEpoch)
    output.line(
      "\(configuration.project.name): tiny-transformer (\(model.parameterCount) parameters), "
        + "\(corpus.tokens.count) characters, vocabulary \(corpus.vocabularySize), context \(context), "
        + "\(stepsPerEpoch) steps per epoch")
    var generator = SeededGenerator(seed: configuration.model.seed &+ 0x7E47)
    var epochs: [EpochReport] = []
    for epoch in 1...training.epochs {
      let progress = ProgressReporter(
        output: output, label: "epoch \(epoch)/\(training.epochs)",
        totalSamples: stepsPerEpoch * batchSize)
      let start = ProcessMetrics.now()
      var lossSum = 0.0
      for step in 0..<stepsPerEpoch {
        let batch = TextCorpus.randomWindows(
          from: train, count: batchSize, length: context, using: &generator)
        let loss = Double(trainer.train(inputs: batch.inputs, labels: batch.targets))
        try TrainingChecks.requireFinite(
          loss: loss, epoch: epoch, step: step + 1, configuration: configuration)
        lossSum += loss
        progress.update(
          samplesDone: (step + 1) * batchSize, loss: Float(lossSum / Double(step + 1)))
      }
      progress.finish()
      let seconds = max(ProcessMetrics.now() - start, 1e-6)
      let (loss, accuracy) = evaluate(trainer, validation: validation, context: context)
      let report = EpochReport(
        epoch: epoch, trainSeconds: seconds,
        samplesPerSecond: Double(stepsPerEpoch * batchSize) / seconds,
        meanLoss: lossSum / Double(stepsPerEpoch), testLoss: loss, testAccuracy: accuracy)
      epochs.append(report)
      output.line(
        "epoch \(epoch)/\(training.epochs)  loss \(format(report.meanLoss, digits: 4))  "
          + "validation loss \(format(loss, digits: 4))  next-character accuracy \(format(accuracy, digits: 4))"
      )
    }
    let sample = generate(
      model: model, corpus: corpus, prompt: Array(validation.prefix(context / 2)), context: context)
    output.line("sample: \(sample.replacingOccurrences(of: "\n", with: "⏎"))")
    try model.saveCheckpoint(
      to: training.checkpoint,
      metadata: [
        "architecture": architecture.name,
        "vocabulary": String(String.UnicodeScalarView(corpus.vocabulary)),
        "configuration": configuration.resolvedJSON(),
      ])
    let final = epochs.last!
    return [
      "command": "train", "project": configuration.project.name, "model": architecture.name,
      "parameters": model.parameterCount, "threads": Parallel.threadCount,
      "epochs": epochs.map(\.json),
      "validationLoss": rounded(final.testLoss, 4), "testAccuracy": rounded(final.testAccuracy, 4),
      "checkpoint": training.checkpoint, "sample": sample,
      "peakResidentMegabytes": rounded(ProcessMetrics.peakResidentMegabytes(), 1),
    ]
  }

  /// Mean loss and next-character accuracy over evenly spaced validation windows.
  func evaluate(_ trainer: Trainer, validation: ArraySlice<Int32>, context: Int) -> (Double, Double)
  {
    let available = validation.count - context - 1
    let count = min(Self.validationWindowsMax, max(1, available / context))
    let starts = (0..<count).map { validation.startIndex + $0 * available / count }
    let batch = TextCorpus.windows(from: validation, starts: starts, length: context)
    let result = trainer.evaluate(inputs: batch.inputs, labels: batch.targets)
    return (
      result.lossSum / Double(batch.targets.count),
      Double(result.correct) / Double(batch.targets.count)
    )
  }

  /// Samples characters from the model (temperature 0.8, seeded) after `prompt`.
  func generate(model: any Layer, corpus: TextCorpus, prompt: [Int32], context: Int) -> String {
    var tokens = prompt.isEmpty ? [Int32(0)] : prompt
    var generator = SeededGenerator(seed: configuration.model.seed)
    for _ in 0..<Self.sampleLength {
      let window = Array(tokens.suffix(context))
      let tape = Tape(mode: .inference)
      let logits = model(
        tape.constant(Tensor(shape: [1, window.count], scalars: window.map(Float.init)))
      ).value
      let last = logits.slice(alongAxis: 0, (window.count - 1)..<window.count).scalars
      let largest = last.max()!
      let weights = last.map { expf32(($0 - largest) / 0.8) }
      var threshold = generator.nextUnitFloat() * weights.reduce(0, +)
      var choice = weights.count - 1
      for (index, weight) in weights.enumerated() {
        threshold -= weight
        if threshold <= 0 {
          choice = index
          break
        }
      }
      tokens.append(Int32(choice))
    }
    return corpus.decode(Array(tokens.dropFirst(prompt.count)))
  }
}
