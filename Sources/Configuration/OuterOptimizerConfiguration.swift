/// `training.outer`: the coordinator's outer optimizer over each round's aggregated delta.
public struct OuterOptimizerConfiguration: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    /// The aggregated delta times the learning rate (1: plain FedAvg).
    case fedavg
    /// Server momentum (Hsu et al. 2019).
    case fedavgm
    /// Adaptive server optimizers (Reddi et al. 2021).
    case fedadam, fedyogi
    /// Nesterov momentum on the pseudo-gradient, as DiLoCo.
    case nesterov
  }

  public let kind: Kind
  public let learningRate: Double
  /// Server momentum (fedavgm, nesterov).
  public let momentum: Double

  static let fieldNames = ["kind", "learningRate", "momentum"]

  init(reading fields: FieldReader) throws(ConfigurationError) {
    kind = try fields.choice("kind", default: .fedavg)
    let defaultRate: Double =
      switch kind {
      case .fedavg, .fedavgm: 1
      case .fedadam, .fedyogi: 0.01
      case .nesterov: 0.7
      }
    learningRate = try fields.number("learningRate", default: defaultRate, in: .lowerOpen(0, 100))
    momentum = try fields.number("momentum", default: 0.9, in: .upperOpen(0, 1))
  }

  var jsonValue: JSONValue {
    .object([
      "kind": .string(kind.rawValue), "learningRate": .double(learningRate),
      "momentum": .double(momentum),
    ])
  }
}
