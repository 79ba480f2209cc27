import Testing

@testable import Configuration

@Suite struct ScheduleConfigurationTests {
  @Test func defaultIsConstantWithoutWarmup() throws {
    let schedule = try mlp().training.schedule
    #expect(schedule.kind == .constant)
    #expect(schedule.warmupSteps == 0)
  }

  @Test func stepReadsStepSizeAndGamma() throws {
    let schedule = try mlp([
      "training.schedule": #"{"kind": "step", "stepSize": 500, "gamma": 0.5, "warmupSteps": 10}"#
    ]).training.schedule
    #expect(schedule.kind == .step)
    #expect(schedule.stepSize == 500)
    #expect(schedule.gamma == 0.5)
    #expect(schedule.warmupSteps == 10)
  }

  @Test func stepRequiresStepSize() {
    #expect(throws: ConfigurationError.missingField(path: "training.schedule.stepSize")) {
      try mlp(["training.schedule.kind": "step"])
    }
  }

  @Test func cosineReadsTheMinimumLearningRate() throws {
    let schedule = try mlp([
      "training.schedule.kind": "cosine", "training.schedule.minimumLearningRate": "0.001",
    ]).training.schedule
    #expect(schedule.kind == .cosine)
    #expect(schedule.minimumLearningRate == 0.001)
  }

  @Test func minimumLearningRateMayEqualButNotExceedTheLearningRate() throws {
    let atRate = try mlp([
      "training.schedule.kind": "cosine", "training.schedule.minimumLearningRate": "0.05",
    ])
    #expect(atRate.training.schedule.minimumLearningRate == 0.05)
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.schedule.minimumLearningRate",
        reason: "0.06 is above the learning rate 0.05")
    ) {
      try mlp(["training.schedule.kind": "cosine", "training.schedule.minimumLearningRate": "0.06"])
    }
  }

  @Test(arguments: [
    ("constant", "stepSize", "stepSize applies only to step, not constant"),
    ("cosine", "gamma", "gamma applies only to step, not cosine"),
    ("constant", "minimumLearningRate", "minimumLearningRate applies only to cosine, not constant"),
    ("step", "minimumLearningRate", "minimumLearningRate applies only to cosine, not step"),
  ])
  func fieldsOfAnotherKindAreRejected(kind: String, field: String, reason: String) {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.schedule.\(field)",
        reason: reason + "; remove it, or set it to null if it comes from an extended file")
    ) {
      try mlp([
        "training.schedule.kind": kind, "training.schedule.stepSize": kind == "step" ? "1" : "null",
        "training.schedule.\(field)": "0.01",
      ])
    }
  }

  static let step = overrides([
    "training.schedule.kind": "step", "training.schedule.stepSize": "10",
  ])
  static let cosine = overrides(["training.schedule.kind": "cosine"])
  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "training.schedule.stepSize", limit: "1", pastLimit: "0", allowed: "[1, 100000000]",
      setup: step, read: { Double($0.training.schedule.stepSize) }),
    RangeLimit(
      path: "training.schedule.stepSize", limit: "100000000", pastLimit: "100000001",
      allowed: "[1, 100000000]", setup: step, read: { Double($0.training.schedule.stepSize) }),
    RangeLimit(
      path: "training.schedule.gamma", limit: "5e-324", pastLimit: "0", allowed: "(0, 1]",
      setup: step, read: { $0.training.schedule.gamma }),
    RangeLimit(
      path: "training.schedule.gamma", limit: "1", pastLimit: "1.0000000000000002",
      allowed: "(0, 1]", setup: step, read: { $0.training.schedule.gamma }),
    RangeLimit(
      path: "training.schedule.warmupSteps", limit: "0", pastLimit: "-1",
      allowed: "[0, 100000000]", read: { Double($0.training.schedule.warmupSteps) }),
    RangeLimit(
      path: "training.schedule.warmupSteps", limit: "100000000", pastLimit: "100000001",
      allowed: "[0, 100000000]", read: { Double($0.training.schedule.warmupSteps) }),
    RangeLimit(
      path: "training.schedule.minimumLearningRate", limit: "0", pastLimit: "-5e-324",
      allowed: "[0, 100]", setup: cosine,
      read: { $0.training.schedule.minimumLearningRate }),
    RangeLimit(
      path: "training.schedule.minimumLearningRate", limit: "100",
      pastLimit: "100.00000000000001", allowed: "[0, 100]",
      setup: cosine + overrides(["training.optimizer.learningRate": "100"]),
      read: { $0.training.schedule.minimumLearningRate }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }
}
