/// `training.optimizer`: the local optimizer and its hyperparameters.
///
/// Every field exists for every kind; a field that does not apply to the kind (momentum for Adam)
/// holds its default, and writing it in a file is an error.
public struct OptimizerConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// Stochastic gradient descent, with optional (Nesterov) momentum.
    case sgd
    /// Adam, with weight decay added to the gradient (L2 regularisation).
    case adam
    /// Adam with decoupled weight decay.
    case adamw
  }

  public let kind: Kind
  /// Step size; defaults to 0.01 for sgd and 0.001 for adam and adamw.
  public let learningRate: Double
  /// Weight decay coefficient; defaults to 0.01 for adamw and 0 otherwise.
  public let weightDecay: Double
  /// Momentum coefficient (sgd only).
  public let momentum: Double
  /// Whether momentum is Nesterov's (sgd only; needs momentum > 0).
  public let usesNesterov: Bool
  /// Decay rate of the first-moment estimate (adam and adamw only).
  public let beta1: Double
  /// Decay rate of the second-moment estimate (adam and adamw only).
  public let beta2: Double
  /// Added to the denominator for numerical stability (adam and adamw only).
  public let epsilon: Double

  static let kindDefault = Kind.sgd
  static let learningRateInterval = Interval.lowerOpen(0, 100)
  static let weightDecayInterval = Interval.closed(0, 1)
  static let momentumDefault = 0.0
  static let momentumInterval = Interval.upperOpen(0, 1)
  static let beta1Default = 0.9
  static let beta2Default = 0.999
  static let betaInterval = Interval.upperOpen(0, 1)
  static let epsilonDefault = 1e-8
  static let epsilonInterval = Interval.lowerOpen(0, 1)

  static let sgdFieldNames = ["momentum", "nesterov"]
  static let adamFieldNames = ["beta1", "beta2", "epsilon"]
  static let fieldNames = ["kind", "learningRate", "weightDecay"] + sgdFieldNames + adamFieldNames

  static func learningRateDefault(for kind: Kind) -> Double { kind == .sgd ? 0.01 : 0.001 }
  static func weightDecayDefault(for kind: Kind) -> Double { kind == .adamw ? 0.01 : 0 }

  init(reading fields: FieldReader) throws(ConfigurationError) {
    kind = try fields.choice("kind", default: Self.kindDefault)
    let kindName = kind.rawValue
    if kind == .sgd {
      try fields.reject(Self.adamFieldNames) { "\($0) applies only to adam and adamw, not sgd" }
    } else {
      try fields.reject(Self.sgdFieldNames) { "\($0) applies only to sgd, not \(kindName)" }
    }
    learningRate = try fields.number(
      "learningRate", default: Self.learningRateDefault(for: kind), in: Self.learningRateInterval)
    weightDecay = try fields.number(
      "weightDecay", default: Self.weightDecayDefault(for: kind), in: Self.weightDecayInterval)
    momentum = try fields.number(
      "momentum", default: Self.momentumDefault, in: Self.momentumInterval)
    usesNesterov = try fields.bool("nesterov", default: false)
    guard !usesNesterov || momentum > 0 else {
      throw .invalidCombination(
        path: fields.path(of: "nesterov"), reason: "Nesterov momentum needs momentum > 0")
    }
    beta1 = try fields.number("beta1", default: Self.beta1Default, in: Self.betaInterval)
    beta2 = try fields.number("beta2", default: Self.beta2Default, in: Self.betaInterval)
    epsilon = try fields.number("epsilon", default: Self.epsilonDefault, in: Self.epsilonInterval)
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "kind": .string(kind.rawValue), "learningRate": .double(learningRate),
      "weightDecay": .double(weightDecay),
    ]
    if kind == .sgd {
      members["momentum"] = .double(momentum)
      members["nesterov"] = .bool(usesNesterov)
    } else {
      members["beta1"] = .double(beta1)
      members["beta2"] = .double(beta2)
      members["epsilon"] = .double(epsilon)
    }
    return .object(members)
  }
}
