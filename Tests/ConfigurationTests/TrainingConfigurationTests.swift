import Testing

@testable import Configuration

@Suite struct TrainingConfigurationTests {
  @Test func defaults() throws {
    let training = try ProjectConfiguration.parse(json: "{}").training
    #expect(training.epochs == 1)
    #expect(training.batchSize == 32)
    #expect(training.gradientClipNorm == nil)
    #expect(training.accumulationSteps == 1)
    #expect(training.threads == nil)
    #expect(training.evaluateEvery == .epoch)
    #expect(training.checkpoint == "checkpoints/starling-project.safetensors")
    #expect(training.rounds == 1)
    #expect(training.localSteps == nil)
  }

  @Test func readsEveryField() throws {
    let training = try mlp([
      "training.epochs": "7", "training.batchSize": "128", "training.gradientClipNorm": "1.5",
      "training.accumulationSteps": "4", "training.threads": "2", "training.evaluateEvery": "epoch",
      "training.checkpoint": "out/model.safetensors", "training.rounds": "50",
      "training.localSteps": "20",
    ]).training
    #expect(
      [training.epochs, training.batchSize, training.accumulationSteps, training.rounds]
        == [7, 128, 4, 50])
    #expect(training.gradientClipNorm == 1.5)
    #expect(training.threads == 2)
    #expect(training.threadCount == 2)
    #expect(training.checkpoint == "out/model.safetensors")
    #expect(training.localSteps == 20)
  }

  @Test func checkpointDefaultFollowsTheProjectName() throws {
    let configuration = try mlp(["project.name": "demo"])
    #expect(configuration.training.checkpoint == "checkpoints/demo.safetensors")
  }

  @Test func threadCountWithoutThreadsIsTheCPUCountWithinTheRange() throws {
    let count = try mlp().training.threadCount
    #expect((1...256).contains(count))
  }

  @Test func evaluateEveryAcceptsOnlyEpoch() {
    #expect(
      throws: ConfigurationError.invalidValue(
        path: "training.evaluateEvery", value: "step", allowed: "epoch")
    ) { try mlp(["training.evaluateEvery": "step"]) }
  }

  @Test func wrongTypesNameTheFieldAndWhatWasFound() {
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.epochs", expected: "integer", found: #"string "five""#)
    ) { try ProjectConfiguration.parse(json: #"{"training": {"epochs": "five"}}"#) }
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.batchSize", expected: "integer", found: "number 32.5")
    ) { try ProjectConfiguration.parse(json: #"{"training": {"batchSize": 32.5}}"#) }
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.optimizer", expected: "object", found: #"string "adam""#)
    ) { try ProjectConfiguration.parse(json: #"{"training": {"optimizer": "adam"}}"#) }
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.optimizer.learningRate", expected: "number", found: "boolean true")
    ) {
      try ProjectConfiguration.parse(json: #"{"training": {"optimizer": {"learningRate": true}}}"#)
    }
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.checkpoint", expected: "string", found: "array")
    ) { try ProjectConfiguration.parse(json: #"{"training": {"checkpoint": []}}"#) }
  }

  @Test func unknownNestedFieldSuggestsTheKnownSpelling() {
    #expect(
      throws: ConfigurationError.unknownField(
        path: "training.optimizer.learningrate", suggestion: "learningRate")
    ) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"optimizer": {"learningrate": 0.1}}}"#)
    }
  }

  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "training.epochs", limit: "1", pastLimit: "0", allowed: "[1, 100000]",
      read: { Double($0.training.epochs) }),
    RangeLimit(
      path: "training.epochs", limit: "100000", pastLimit: "100001", allowed: "[1, 100000]",
      read: { Double($0.training.epochs) }),
    RangeLimit(
      path: "training.batchSize", limit: "1", pastLimit: "0", allowed: "[1, 65536]",
      read: { Double($0.training.batchSize) }),
    RangeLimit(
      path: "training.batchSize", limit: "65536", pastLimit: "65537", allowed: "[1, 65536]",
      read: { Double($0.training.batchSize) }),
    RangeLimit(
      path: "training.gradientClipNorm", limit: "5e-324", pastLimit: "0",
      allowed: "(0, 1000000]", read: { $0.training.gradientClipNorm! }),
    RangeLimit(
      path: "training.gradientClipNorm", limit: "1000000", pastLimit: "1000000.0000000001",
      allowed: "(0, 1000000]", read: { $0.training.gradientClipNorm! }),
    RangeLimit(
      path: "training.accumulationSteps", limit: "1", pastLimit: "0", allowed: "[1, 1024]",
      read: { Double($0.training.accumulationSteps) }),
    RangeLimit(
      path: "training.accumulationSteps", limit: "1024", pastLimit: "1025", allowed: "[1, 1024]",
      read: { Double($0.training.accumulationSteps) }),
    RangeLimit(
      path: "training.threads", limit: "1", pastLimit: "0", allowed: "[1, 256]",
      read: { Double($0.training.threads!) }),
    RangeLimit(
      path: "training.threads", limit: "256", pastLimit: "257", allowed: "[1, 256]",
      read: { Double($0.training.threads!) }),
    RangeLimit(
      path: "training.rounds", limit: "1", pastLimit: "0", allowed: "[1, 1000000]",
      read: { Double($0.training.rounds) }),
    RangeLimit(
      path: "training.rounds", limit: "1000000", pastLimit: "1000001", allowed: "[1, 1000000]",
      read: { Double($0.training.rounds) }),
    RangeLimit(
      path: "training.localSteps", limit: "1", pastLimit: "0", allowed: "[1, 1000000]",
      read: { Double($0.training.localSteps!) }),
    RangeLimit(
      path: "training.localSteps", limit: "1000000", pastLimit: "1000001",
      allowed: "[1, 1000000]", read: { Double($0.training.localSteps!) }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }
}
