/// `training.privacy`: example-level differential privacy for local training (DP-SGD).
///
/// Present means every optimizer step clips each example's gradient to `clipNorm`, adds Gaussian
/// noise of standard deviation `noiseMultiplier × clipNorm` to the sum, and draws its batch by
/// Poisson sampling at rate `batchSize / training samples`; the run reports the (ε, δ) it spent
/// and stops before a step that would take ε above `epsilonBudget`.
public struct PrivacyConfiguration: Sendable, Equatable {
  /// σ, the noise standard deviation divided by `clipNorm`; `nil` calibrates it so that the
  /// planned steps spend exactly `epsilonBudget`.
  public let noiseMultiplier: Double?
  /// C, the bound on each example's gradient L2 norm.
  public let clipNorm: Double
  /// The δ at which ε is reported; it should be below 1 / (training samples).
  public let delta: Double
  /// The largest ε the run may spend; `nil` means no limit (ε is still reported).
  public let epsilonBudget: Double?

  static let noiseMultiplierInterval = Interval.lowerOpen(0, 1000)
  static let clipNormDefault = 1.0
  static let clipNormInterval = Interval.lowerOpen(0, 1_000_000)
  static let deltaDefault = 1e-5
  static let deltaInterval = Interval(lower: 0, isLowerOpen: true, upper: 0.1, isUpperOpen: false)
  static let epsilonBudgetInterval = Interval.lowerOpen(0, 1000)
  static let fieldNames = ["noiseMultiplier", "clipNorm", "delta", "epsilonBudget"]

  init(reading fields: FieldReader) throws(ConfigurationError) {
    noiseMultiplier = try fields.optionalNumber(
      "noiseMultiplier", in: Self.noiseMultiplierInterval)
    clipNorm = try fields.number(
      "clipNorm", default: Self.clipNormDefault, in: Self.clipNormInterval)
    delta = try fields.number("delta", default: Self.deltaDefault, in: Self.deltaInterval)
    epsilonBudget = try fields.optionalNumber("epsilonBudget", in: Self.epsilonBudgetInterval)
    guard noiseMultiplier != nil || epsilonBudget != nil else {
      throw .invalidCombination(
        path: fields.path,
        reason: "set noiseMultiplier, or epsilonBudget to calibrate the noise to it")
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = ["clipNorm": .double(clipNorm), "delta": .double(delta)]
    if let noiseMultiplier { members["noiseMultiplier"] = .double(noiseMultiplier) }
    if let epsilonBudget { members["epsilonBudget"] = .double(epsilonBudget) }
    return .object(members)
  }
}
