import Testing

@testable import Configuration

@Suite struct ModelConfigurationTests {
  @Test func defaultsAreAnMLPWithSeedZero() throws {
    let model = try ProjectConfiguration.parse(json: "{}").model
    #expect(model.architecture == .mlp)
    #expect(model.seed == 0)
    #expect(model.contextLength == 64)
    #expect(model.embeddingSize == 64)
    #expect(model.heads == 4)
    #expect(model.layers == 2)
    #expect(model.dropout == 0)
  }

  @Test func readsEveryTransformerField() throws {
    let model = try ProjectConfiguration.template(
      named: "text-transformer",
      overrides: overrides([
        "data.path": "corpus.txt", "model.contextLength": "128", "model.embeddingSize": "96",
        "model.heads": "6", "model.layers": "3", "model.dropout": "0.1", "model.seed": "9",
      ])
    ).model
    #expect(model.architecture == .tinyTransformer)
    #expect(
      [model.contextLength, model.embeddingSize, model.heads, model.layers] == [128, 96, 6, 3])
    #expect(model.dropout == 0.1)
    #expect(model.seed == 9)
  }

  @Test func seedTakesTheWholeUInt64RangeExactly() throws {
    let largest = try mlp(["model.seed": "18446744073709551615"]).model.seed
    #expect(largest == UInt64.max)
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "model.seed", value: "18446744073709551616",
        allowed: "[0, 18446744073709551615]")
    ) { try mlp(["model.seed": "18446744073709551616"]) }
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "model.seed", value: "-1", allowed: "[0, 18446744073709551615]")
    ) { try mlp(["model.seed": "-1"]) }
  }

  @Test func unknownArchitectureListsTheAllowedOnes() {
    #expect(
      throws: ConfigurationError.invalidValue(
        path: "model.architecture", value: "resnet",
        allowed: "mlp, cnn-small, tiny-transformer, scatternet-linear")
    ) { try mlp(["model.architecture": "resnet"]) }
  }

  @Test(arguments: ["contextLength", "embeddingSize", "heads", "layers", "dropout"])
  func transformerFieldsAreRejectedForImageModels(field: String) {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "model.\(field)",
        reason: "\(field) applies only to tiny-transformer, not cnn-small"
          + "; remove it, or set it to null if it comes from an extended file")
    ) {
      try ProjectConfiguration.template(
        named: "fmnist-cnn", overrides: [.init(path: "model.\(field)", value: "1")])
    }
  }

  @Test func headsMustDivideTheEmbeddingSize() throws {
    var setup = overrides(transformerSetup)
    setup += overrides(["model.embeddingSize": "64", "model.heads": "3"])
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "model.heads", reason: "heads (3) must divide embeddingSize (64)")
    ) { try ProjectConfiguration.template(named: "fmnist-mlp", overrides: setup) }
    setup[setup.count - 1].value = "8"
    #expect(
      try ProjectConfiguration.template(named: "fmnist-mlp", overrides: setup).model.heads == 8)
  }

  static let limits: [RangeLimit] = {
    let setup = overrides(transformerSetup)
    // The default 4 heads divide 4096; embeddingSize 1 needs 1 head; 64 heads divide the default 64.
    return [
      RangeLimit(
        path: "model.contextLength", limit: "1", pastLimit: "0", allowed: "[1, 4096]",
        setup: setup, read: { Double($0.model.contextLength) }),
      RangeLimit(
        path: "model.contextLength", limit: "4096", pastLimit: "4097", allowed: "[1, 4096]",
        setup: setup, read: { Double($0.model.contextLength) }),
      RangeLimit(
        path: "model.embeddingSize", limit: "1", pastLimit: "0", allowed: "[1, 4096]",
        setup: setup + [.init(path: "model.heads", value: "1")],
        read: { Double($0.model.embeddingSize) }),
      RangeLimit(
        path: "model.embeddingSize", limit: "4096", pastLimit: "4097", allowed: "[1, 4096]",
        setup: setup, read: { Double($0.model.embeddingSize) }),
      RangeLimit(
        path: "model.heads", limit: "1", pastLimit: "0", allowed: "[1, 64]",
        setup: setup, read: { Double($0.model.heads) }),
      RangeLimit(
        path: "model.heads", limit: "64", pastLimit: "65", allowed: "[1, 64]",
        setup: setup, read: { Double($0.model.heads) }),
      RangeLimit(
        path: "model.layers", limit: "1", pastLimit: "0", allowed: "[1, 64]",
        setup: setup, read: { Double($0.model.layers) }),
      RangeLimit(
        path: "model.layers", limit: "64", pastLimit: "65", allowed: "[1, 64]",
        setup: setup, read: { Double($0.model.layers) }),
      RangeLimit(
        path: "model.dropout", limit: "0", pastLimit: "-5e-324", allowed: "[0, 1)",
        setup: setup, read: { $0.model.dropout }),
      RangeLimit(
        path: "model.dropout", limit: "0.9999999999999999", pastLimit: "1", allowed: "[0, 1)",
        setup: setup, read: { $0.model.dropout }),
    ]
  }()

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }

  @Test func resolvedJSONLeavesOutTransformerFieldsOfImageModels() throws {
    let members = try mlp().model.jsonValue.objectMembers!
    #expect(Set(members.keys) == ["architecture", "seed"])
  }
}
