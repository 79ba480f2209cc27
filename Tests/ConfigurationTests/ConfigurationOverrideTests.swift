import Testing

@testable import Configuration

@Suite struct ConfigurationOverrideTests {
  @Test func assignmentSplitsAtTheFirstEqualsSign() throws {
    let override = try ConfigurationOverride(assignment: "project.description=a=b")
    #expect(override == ConfigurationOverride(path: "project.description", value: "a=b"))
    #expect(override.description == "project.description=a=b")
  }

  @Test func assignmentWithoutEqualsSignIsRejected() {
    #expect(throws: ConfigurationError.invalidOverride("epochs", reason: "expected path=value")) {
      try ConfigurationOverride(assignment: "epochs")
    }
  }

  @Test func overridesSetNumbersBooleansAndStringsByTheFieldsType() throws {
    let configuration = try mlp().applying(
      overrides([
        "training.batchSize": "128", "training.optimizer.nesterov": "true",
        "data.partition.kind": "dirichlet", "data.partition.alpha": "0.3",
        "project.description": #""quoted""#,
      ]))
    #expect(configuration.training.batchSize == 128)
    #expect(configuration.training.optimizer.usesNesterov)
    #expect(configuration.data.partition.alpha == 0.3)
    #expect(configuration.project.description == "quoted")
  }

  @Test func overriddenValuesAreValidatedLikeFileFields() throws {
    let base = try mlp()
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "training.batchSize", value: "0", allowed: "[1, 65536]")
    ) { try base.applying(overrides(["training.batchSize": "0"])) }
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.epochs", expected: "integer", found: #"string "three""#)
    ) { try base.applying(overrides(["training.epochs": "three"])) }
    #expect(
      throws: ConfigurationError.unknownField(path: "training.epoch", suggestion: "epochs")
    ) { try base.applying(overrides(["training.epoch": "3"])) }
  }

  @Test func laterOverridesWin() throws {
    let configuration = try mlp(["training.epochs": "2", "training.epochs": "9"])
    #expect(configuration.training.epochs == 9)
  }

  @Test func defaultsThatDependOnAnOverriddenFieldFollowIt() throws {
    let configuration = try mlp().applying(overrides(["project.name": "renamed"]))
    #expect(configuration.training.checkpoint == "checkpoints/renamed.safetensors")
  }

  @Test func nullResetsAFieldToItsDefault() throws {
    let configuration = try mlp(["training.optimizer.momentum": "null"])
    #expect(configuration.training.optimizer.momentum == 0)
  }

  @Test func anObjectCanBeGivenWholeAndThenRefined() throws {
    let configuration = try mlp([
      "training.optimizer": #"{"kind": "adamw"}"#, "training.optimizer.beta2": "0.95",
    ])
    #expect(configuration.training.optimizer.kind == .adamw)
    #expect(configuration.training.optimizer.beta2 == 0.95)
  }

  @Test func settingInsideAScalarIsAWrongType() {
    #expect(
      throws: ConfigurationError.wrongType(
        path: "training.epochs", expected: "object", found: "number 5")
    ) { try mlp(["training.epochs.value": "3"]) }
  }

  @Test(arguments: ["", "training..epochs", ".training", "training."])
  func pathsWithEmptyComponentsAreRejected(path: String) {
    #expect(
      throws: ConfigurationError.invalidOverride(
        "\(path)=1", reason: "the path has an empty component")
    ) { try mlp().applying([ConfigurationOverride(path: path, value: "1")]) }
  }

  @Test func pathsLongerThanTheLimitAreRejected() throws {
    let eight = Array(repeating: "a", count: 8).joined(separator: ".")
    // Eight components are parsed; the top-level key is then unknown.
    #expect(throws: ConfigurationError.unknownField(path: "a", suggestion: nil)) {
      try mlp().applying([ConfigurationOverride(path: eight, value: "1")])
    }
    #expect(
      throws: ConfigurationError.invalidOverride(
        eight + ".a=1", reason: "the path has more than 8 components")
    ) { try mlp().applying([ConfigurationOverride(path: eight + ".a", value: "1")]) }
  }

  @Test func valuesLongerThanTheStringLimitAreRejected() throws {
    let longest = String(repeating: "v", count: 4096)
    #expect(try mlp(["project.description": longest]).project.description == longest)
    #expect(
      throws: ConfigurationError.invalidOverride(
        "project.description=\(longest)v", reason: "the value is longer than 4096 bytes")
    ) { try mlp(["project.description": longest + "v"]) }
  }

  @Test func extendsCannotBeOverridden() {
    #expect(
      throws: ConfigurationError.invalidOverride(
        "extends=fmnist-cnn",
        reason: "extends is resolved when the file is read and cannot be overridden")
    ) { try mlp(["extends": "fmnist-cnn"]) }
  }

  @Test func overridesApplyAfterTheFileIsLoaded() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"extends": "fmnist-cnn", "training": {"epochs": 10}}"#,
      overrides: overrides(["training.epochs": "1"]))
    #expect(configuration.training.epochs == 1)
    #expect(configuration.model.architecture == .cnnSmall)
  }
}
