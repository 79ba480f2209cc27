/// `training.schedule`: how the learning rate changes over the optimizer steps of a run.
///
/// A field that does not apply to the kind holds its default, and writing it in a file is an
/// error.
public struct ScheduleConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// `learningRate` throughout (after warm-up).
    case constant
    /// `learningRate` multiplied by `gamma` every `stepSize` steps.
    case step
    /// Cosine decay from `learningRate` to `minimumLearningRate` over the steps of the run.
    case cosine
  }

  public let kind: Kind
  /// Steps between two multiplications by `gamma` (step only; required for step, 0 otherwise).
  public let stepSize: Int
  /// Factor applied every `stepSize` steps (step only).
  public let gamma: Double
  /// Steps over which the rate rises linearly from 0 to `learningRate` first (every kind).
  public let warmupSteps: Int
  /// The rate at the end of the cosine decay (cosine only); at most the learning rate.
  public let minimumLearningRate: Double

  static let kindDefault = Kind.constant
  static let stepSizeRange = 1...100_000_000
  static let gammaDefault = 0.1
  static let gammaInterval = Interval.lowerOpen(0, 1)
  static let warmupStepsDefault = 0
  static let warmupStepsRange = 0...100_000_000
  static let minimumLearningRateDefault = 0.0
  static let minimumLearningRateInterval = Interval.closed(0, 100)
  static let fieldNames = ["kind", "stepSize", "gamma", "warmupSteps", "minimumLearningRate"]

  /// Reads the schedule of an optimizer whose learning rate is `learningRate`.
  init(reading fields: FieldReader, learningRate: Double) throws(ConfigurationError) {
    kind = try fields.choice("kind", default: Self.kindDefault)
    let kindName = kind.rawValue
    if kind != .step {
      try fields.reject(["stepSize", "gamma"]) { "\($0) applies only to step, not \(kindName)" }
    }
    if kind != .cosine {
      try fields.reject(["minimumLearningRate"]) { _ in
        "minimumLearningRate applies only to cosine, not \(kindName)"
      }
    }
    if kind == .step { try fields.require("stepSize") }
    stepSize = try fields.optionalInteger("stepSize", in: Self.stepSizeRange) ?? 0
    gamma = try fields.number("gamma", default: Self.gammaDefault, in: Self.gammaInterval)
    warmupSteps = try fields.integer(
      "warmupSteps", default: Self.warmupStepsDefault, in: Self.warmupStepsRange)
    minimumLearningRate = try fields.number(
      "minimumLearningRate", default: Self.minimumLearningRateDefault,
      in: Self.minimumLearningRateInterval)
    guard minimumLearningRate <= learningRate else {
      throw .invalidCombination(
        path: fields.path(of: "minimumLearningRate"),
        reason: "\(minimumLearningRate) is above the learning rate \(learningRate)")
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "kind": .string(kind.rawValue), "warmupSteps": .integer(warmupSteps),
    ]
    switch kind {
    case .constant: break
    case .step:
      members["stepSize"] = .integer(stepSize)
      members["gamma"] = .double(gamma)
    case .cosine: members["minimumLearningRate"] = .double(minimumLearningRate)
    }
    return .object(members)
  }
}
