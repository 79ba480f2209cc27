import Configuration
import Datasets
import Learning
import Platform

/// Why a training run stopped before it could report a result.
enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// The loss became NaN or infinite: the model diverged, and no checkpoint is written.
  case diverged(epoch: Int, step: Int, loss: Double, learningRate: Double)
  /// A set has no samples, so nothing could be trained or measured.
  case noSamples(set: String, hint: String)

  var description: String {
    switch self {
    case .diverged(let epoch, let step, let loss, let learningRate):
      let value = loss.isNaN ? "NaN" : (loss > 0 ? "infinite" : "-infinite")
      return "training diverged at step \(step) of epoch \(epoch): the loss is \(value); "
        + "no checkpoint was written. Lower the learning rate "
        + "(training.optimizer.learningRate, now \(learningRate); try \(learningRate / 10)), "
        + "or set training.gradientClipNorm"
    case .noSamples(let set, let hint):
      return "the \(set) set has no samples: \(hint)"
    }
  }
}

/// The checks every training command makes before and while it trains.
enum TrainingChecks {
  /// Throws `TrainingError.diverged` unless `loss` is finite.
  static func requireFinite(
    loss: Double, epoch: Int, step: Int, configuration: ProjectConfiguration
  ) throws(TrainingError) {
    guard loss.isFinite else {
      throw .diverged(
        epoch: epoch, step: step, loss: loss,
        learningRate: configuration.training.optimizer.learningRate)
    }
  }

  /// Refuses a split with an empty training or test set: an epoch of no samples has no loss
  /// and no speed, and an accuracy over no test samples would be reported as if measured.
  static func requireSamples(_ split: TrainTestSplit, data: DataConfiguration) throws(TrainingError)
  {
    let source = data.path.map { "\(data.source.rawValue) data at '\($0)'" } ?? data.source.rawValue
    guard split.train.count > 0 else {
      throw .noSamples(set: "training", hint: "\(source) holds no training samples")
    }
    guard split.test.count > 0 else {
      throw .noSamples(
        set: "test",
        hint: "\(source) holds no test samples (a CSV file keeps its last fifth for testing: "
          + "give it at least 5 data lines)")
    }
  }

  /// What training `architecture` allocates besides the data already loaded: the parameters,
  /// their gradients and the optimizer's state, the activations of a training and an evaluation
  /// batch (and their gradients), and the encoded checkpoint.
  static func memoryEstimate(
    _ configuration: ProjectConfiguration, architecture: ModelArchitecture,
    sampleElements: Int, datasetBytes: Int
  ) -> MemoryEstimate {
    let training = configuration.training
    let parameters = architecture.parameterCount
    let optimizerSlots: Int =
      switch training.optimizer.kind {
      case .sgd: training.optimizer.momentum > 0 ? 1 : 0
      case .adam, .adamw: 2
      }
    let batch = training.privacy == nil ? training.batchSize : PrivateImageTraining.chunkSize
    var estimate = MemoryEstimate(
      purpose: "training \(architecture.name) (\(parameters) parameters)",
      hint: "use a smaller model or training.batchSize")
    estimate.add("parameters and gradients", product: [2, parameters])
    estimate.add("optimizer state", product: [optimizerSlots, parameters])
    estimate.add("the checkpoint", count: parameters)
    estimate.add(
      "activations of a batch of \(batch)",
      product: [2, batch, architecture.activationFloatsPerSample])
    estimate.add(
      "an evaluation batch",
      product: [ImageTraining.evaluationBatchSize, architecture.activationFloatsPerSample])
    estimate.add(
      "the input batch", product: [max(batch, ImageTraining.evaluationBatchSize), sampleElements])
    estimate.add("the dataset", count: datasetBytes, bytesPerElement: 1)
    return estimate
  }

  /// Checks `memoryEstimate` against `budget`.
  static func requireMemory(
    _ configuration: ProjectConfiguration, architecture: ModelArchitecture, data: TrainTestSplit,
    budget: MemoryBudget
  ) throws(MemoryBudgetError) {
    let sampleElements = data.train.sampleShape.reduce(1, *)
    let datasetBytes = (data.train.count + data.test.count).multipliedReportingOverflow(
      by: sampleElements)
    try budget.check(
      memoryEstimate(
        configuration, architecture: architecture, sampleElements: sampleElements,
        datasetBytes: datasetBytes.overflow ? Int.max : datasetBytes.partialValue))
  }
}

/// An output path that cannot be written, found before any work starts (or, for a failure that
/// only the final write can meet, such as a full disk, when writing).
struct OutputError: Error, Equatable, CustomStringConvertible {
  /// What the path is for ("checkpoint (training.checkpoint)", "chart (--plot)").
  let what: String
  let path: String
  let cause: FileError

  var description: String {
    let reason = cause.path == path ? cause.reason : cause.description
    return "cannot write the \(what) '\(path)': \(reason)"
  }

  /// Checks that the file `path` can be written.
  static func checkFile(_ path: String, for what: String) throws(OutputError) {
    do { try OutputPath.checkFile(path) } catch {
      throw OutputError(what: what, path: path, cause: error)
    }
  }

  /// Checks that files can be written in the directory `path`.
  static func checkDirectory(_ path: String, for what: String) throws(OutputError) {
    do { try OutputPath.checkDirectory(path) } catch {
      throw OutputError(what: what, path: path, cause: error)
    }
  }

  /// Writes `text` to `path` atomically.
  static func write(_ text: String, to path: String, for what: String) throws(OutputError) {
    do { try OutputPath.write(text: text, to: path) } catch {
      throw OutputError(what: what, path: path, cause: error)
    }
  }
}
