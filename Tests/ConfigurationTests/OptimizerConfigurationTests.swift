import Testing

@testable import Configuration

@Suite struct OptimizerConfigurationTests {
  @Test func defaultsAreSGDWithoutMomentum() throws {
    let optimizer = try ProjectConfiguration.parse(json: "{}").training.optimizer
    #expect(optimizer.kind == .sgd)
    #expect(optimizer.learningRate == 0.01)
    #expect(optimizer.momentum == 0)
    #expect(!optimizer.usesNesterov)
    #expect(optimizer.weightDecay == 0)
  }

  @Test(arguments: [("sgd", 0.01, 0.0), ("adam", 0.001, 0.0), ("adamw", 0.001, 0.01)])
  func learningRateAndWeightDecayDefaultsDependOnTheKind(
    kind: String, learningRate: Double, weightDecay: Double
  ) throws {
    let optimizer = try ProjectConfiguration.parse(
      json: #"{"training": {"optimizer": {"kind": "\#(kind)"}}}"#
    ).training.optimizer
    #expect(optimizer.learningRate == learningRate)
    #expect(optimizer.weightDecay == weightDecay)
  }

  @Test func adamReadsBetasAndEpsilon() throws {
    let optimizer = try mlp([
      "training.optimizer": #"{"kind": "adamw", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}"#
    ]).training.optimizer
    #expect(optimizer.kind == .adamw)
    #expect([optimizer.beta1, optimizer.beta2, optimizer.epsilon] == [0.8, 0.99, 1e-6])
  }

  @Test func adamDefaultsAreTheUsualOnes() throws {
    let optimizer = try mlp(adamSetup).training.optimizer
    #expect([optimizer.beta1, optimizer.beta2, optimizer.epsilon] == [0.9, 0.999, 1e-8])
  }

  @Test(arguments: ["momentum", "nesterov"], ["adam", "adamw"])
  func sgdFieldsAreRejectedForAdam(field: String, kind: String) {
    let value = field == "nesterov" ? "true" : "0.9"
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.optimizer.\(field)",
        reason: "\(field) applies only to sgd, not \(kind)"
          + "; remove it, or set it to null if it comes from an extended file")
    ) {
      try mlp([
        "training.optimizer": #"{"kind": "\#(kind)", "\#(field)": \#(value)}"#
      ])
    }
  }

  @Test(arguments: ["beta1", "beta2", "epsilon"])
  func adamFieldsAreRejectedForSGD(field: String) {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.optimizer.\(field)",
        reason: "\(field) applies only to adam and adamw, not sgd"
          + "; remove it, or set it to null if it comes from an extended file")
    ) { try mlp(["training.optimizer.\(field)": "0.5"]) }
  }

  @Test func momentumFromATemplateIsRejectedWhenOnlyTheKindIsOverridden() {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.optimizer.momentum",
        reason: "momentum applies only to sgd, not adam"
          + "; remove it, or set it to null if it comes from an extended file")
    ) { try mlp(["training.optimizer.kind": "adam"]) }
  }

  @Test func nesterovNeedsMomentum() throws {
    #expect(try mlp(["training.optimizer.nesterov": "true"]).training.optimizer.usesNesterov)
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.optimizer.nesterov", reason: "Nesterov momentum needs momentum > 0")
    ) { try mlp(["training.optimizer.nesterov": "true", "training.optimizer.momentum": "0"]) }
  }

  @Test func resolvedJSONHoldsOnlyTheFieldsOfTheKind() throws {
    let sgd = try mlp().training.optimizer.jsonValue.objectMembers!
    #expect(Set(sgd.keys) == ["kind", "learningRate", "weightDecay", "momentum", "nesterov"])
    let adam = try mlp(adamSetup).training.optimizer.jsonValue.objectMembers!
    #expect(Set(adam.keys) == ["kind", "learningRate", "weightDecay", "beta1", "beta2", "epsilon"])
  }

  static let adam = overrides(adamSetup)
  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "training.optimizer.learningRate", limit: "5e-324", pastLimit: "0",
      allowed: "(0, 100]", read: { $0.training.optimizer.learningRate }),
    RangeLimit(
      path: "training.optimizer.learningRate", limit: "100", pastLimit: "100.00000000000001",
      allowed: "(0, 100]", read: { $0.training.optimizer.learningRate }),
    RangeLimit(
      path: "training.optimizer.momentum", limit: "0", pastLimit: "-5e-324", allowed: "[0, 1)",
      read: { $0.training.optimizer.momentum }),
    RangeLimit(
      path: "training.optimizer.momentum", limit: "0.9999999999999999", pastLimit: "1",
      allowed: "[0, 1)", read: { $0.training.optimizer.momentum }),
    RangeLimit(
      path: "training.optimizer.weightDecay", limit: "0", pastLimit: "-5e-324", allowed: "[0, 1]",
      read: { $0.training.optimizer.weightDecay }),
    RangeLimit(
      path: "training.optimizer.weightDecay", limit: "1", pastLimit: "1.0000000000000002",
      allowed: "[0, 1]", read: { $0.training.optimizer.weightDecay }),
    RangeLimit(
      path: "training.optimizer.beta1", limit: "0", pastLimit: "-5e-324", allowed: "[0, 1)",
      setup: adam, read: { $0.training.optimizer.beta1 }),
    RangeLimit(
      path: "training.optimizer.beta1", limit: "0.9999999999999999", pastLimit: "1",
      allowed: "[0, 1)", setup: adam, read: { $0.training.optimizer.beta1 }),
    RangeLimit(
      path: "training.optimizer.beta2", limit: "0", pastLimit: "-5e-324", allowed: "[0, 1)",
      setup: adam, read: { $0.training.optimizer.beta2 }),
    RangeLimit(
      path: "training.optimizer.beta2", limit: "0.9999999999999999", pastLimit: "1",
      allowed: "[0, 1)", setup: adam, read: { $0.training.optimizer.beta2 }),
    RangeLimit(
      path: "training.optimizer.epsilon", limit: "5e-324", pastLimit: "0", allowed: "(0, 1]",
      setup: adam, read: { $0.training.optimizer.epsilon }),
    RangeLimit(
      path: "training.optimizer.epsilon", limit: "1", pastLimit: "1.0000000000000002",
      allowed: "(0, 1]", setup: adam, read: { $0.training.optimizer.epsilon }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }
}
