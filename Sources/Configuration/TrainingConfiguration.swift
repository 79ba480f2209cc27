import Foundation

/// The `training` section: the local training loop, and the round structure that federated
/// training uses.
public struct TrainingConfiguration: Sendable, Equatable {
  /// When the model is evaluated on the test set.
  public enum EvaluationInterval: String, Sendable, CaseIterable {
    /// After every epoch.
    case epoch
  }

  /// Passes over the local training set.
  public let epochs: Int
  /// Samples per optimizer step (per accumulation step when `accumulationSteps` > 1).
  public let batchSize: Int
  public let optimizer: OptimizerConfiguration
  public let schedule: ScheduleConfiguration
  /// Clip the global gradient norm to this value before each step; `nil` does not clip.
  public let gradientClipNorm: Double?
  /// Batches whose gradients are summed before one optimizer step.
  public let accumulationSteps: Int
  /// Worker threads; `nil` means one per CPU, decided on the machine that runs (see
  /// `threadCount`), so that the resolved configuration is the same on every machine.
  public let threads: Int?
  public let evaluateEvery: EvaluationInterval
  /// Where the trained model is written (safetensors). Defaults to
  /// `checkpoints/<project name>.safetensors`, relative to the working directory; a relative path
  /// written in a file is resolved against that file's directory.
  public let checkpoint: String
  /// Federated rounds (used by the federated milestones).
  public let rounds: Int
  /// Optimizer steps per round on each peer; `nil` trains `epochs` epochs per round instead
  /// (used by the federated milestones).
  public let localSteps: Int?
  /// Example-level differential privacy (DP-SGD); `nil` trains without it.
  public let privacy: PrivacyConfiguration?
  /// The coordinator's outer optimizer (federated rounds).
  public let outer: OuterOptimizerConfiguration

  static let epochsDefault = 1
  static let epochsRange = 1...100_000
  static let batchSizeDefault = 32
  static let batchSizeRange = 1...65_536
  static let gradientClipNormInterval = Interval.lowerOpen(0, 1_000_000)
  static let accumulationStepsDefault = 1
  static let accumulationStepsRange = 1...1024
  static let threadsRange = 1...256
  static let evaluateEveryDefault = EvaluationInterval.epoch
  static let roundsDefault = 1
  static let roundsRange = 1...1_000_000
  static let localStepsRange = 1...1_000_000
  static let fieldNames = [
    "epochs", "batchSize", "optimizer", "schedule", "gradientClipNorm", "accumulationSteps",
    "threads", "evaluateEvery", "checkpoint", "rounds", "localSteps", "privacy", "outer",
  ]

  /// The checkpoint path of a project that does not set one.
  static func checkpointDefault(projectName: String) -> String {
    "checkpoints/\(projectName).safetensors"
  }

  /// `threads`, or the number of active CPUs (within 1...256) when it is `nil`.
  public var threadCount: Int {
    threads
      ?? min(max(ProcessInfo.processInfo.activeProcessorCount, 1), Self.threadsRange.upperBound)
  }
}

extension TrainingConfiguration: ConfigurationSection {
  static let key = "training"
  static let filePathFields = ["checkpoint"]

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    epochs = try fields.integer("epochs", default: Self.epochsDefault, in: Self.epochsRange)
    batchSize = try fields.integer(
      "batchSize", default: Self.batchSizeDefault, in: Self.batchSizeRange)
    optimizer = try OptimizerConfiguration(
      reading: fields.object("optimizer", knownFields: OptimizerConfiguration.fieldNames))
    schedule = try ScheduleConfiguration(
      reading: fields.object("schedule", knownFields: ScheduleConfiguration.fieldNames),
      learningRate: optimizer.learningRate)
    gradientClipNorm = try fields.optionalNumber(
      "gradientClipNorm", in: Self.gradientClipNormInterval)
    accumulationSteps = try fields.integer(
      "accumulationSteps", default: Self.accumulationStepsDefault,
      in: Self.accumulationStepsRange)
    threads = try fields.optionalInteger("threads", in: Self.threadsRange)
    evaluateEvery = try fields.choice("evaluateEvery", default: Self.evaluateEveryDefault)
    checkpoint = try fields.string(
      "checkpoint", default: Self.checkpointDefault(projectName: earlier.project.name))
    rounds = try fields.integer("rounds", default: Self.roundsDefault, in: Self.roundsRange)
    localSteps = try fields.optionalInteger("localSteps", in: Self.localStepsRange)
    outer = try OuterOptimizerConfiguration(
      reading: fields.object("outer", knownFields: OuterOptimizerConfiguration.fieldNames))
    privacy =
      fields.contains("privacy")
      ? try PrivacyConfiguration(
        reading: fields.object("privacy", knownFields: PrivacyConfiguration.fieldNames)) : nil
    if privacy != nil {
      try fields.reject(["gradientClipNorm"]) { _ in
        "gradientClipNorm does not apply with privacy, which clips each example to clipNorm"
      }
      if accumulationSteps > 1 {
        throw .invalidCombination(
          path: fields.path(of: "accumulationSteps"),
          reason: "with privacy, each step is one Poisson-sampled batch; use a larger batchSize")
      }
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "epochs": .integer(epochs), "batchSize": .integer(batchSize),
      "optimizer": optimizer.jsonValue, "schedule": schedule.jsonValue,
      "accumulationSteps": .integer(accumulationSteps),
      "evaluateEvery": .string(evaluateEvery.rawValue), "checkpoint": .string(checkpoint),
      "rounds": .integer(rounds), "outer": outer.jsonValue,
    ]
    if let gradientClipNorm { members["gradientClipNorm"] = .double(gradientClipNorm) }
    if let threads { members["threads"] = .integer(threads) }
    if let localSteps { members["localSteps"] = .integer(localSteps) }
    if let privacy { members["privacy"] = privacy.jsonValue }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `training` section.
  public var training: TrainingConfiguration { section(TrainingConfiguration.self) }
}
