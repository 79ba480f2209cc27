import Testing

@testable import Configuration

@Suite struct ConfigurationErrorTests {
  @Test(arguments: [
    (
      ConfigurationError.unknownField(path: "trainig", suggestion: "training"),
      "unknown field 'trainig' (did you mean 'training'?)"
    ),
    (.unknownField(path: "model.colour", suggestion: nil), "unknown field 'model.colour'"),
    (
      .unsupportedSection(path: "topology"),
      "unknown field 'topology': the topology section is not supported yet in this version"
    ),
    (
      .wrongType(path: "training.epochs", expected: "integer", found: #"string "five""#),
      #"training.epochs: expected integer, found string "five""#
    ),
    (
      .wrongType(path: "", expected: "object", found: "array"),
      "(top level): expected object, found array"
    ),
    (
      .outOfRange(path: "training.batchSize", value: "0", allowed: "[1, 65536]"),
      "training.batchSize: 0 is out of range (allowed: [1, 65536])"
    ),
    (
      .invalidValue(path: "model.architecture", value: "resnet", allowed: "mlp, cnn-small"),
      "model.architecture: 'resnet' is not valid (allowed: mlp, cnn-small)"
    ),
    (.missingField(path: "data.path"), "data.path: required field is missing"),
    (
      .invalidCombination(path: "model.heads", reason: "heads (3) must divide embeddingSize (64)"),
      "model.heads: heads (3) must divide embeddingSize (64)"
    ),
    (.unreadableFile(path: "a.json", reason: "no such file"), "cannot read 'a.json': no such file"),
    (
      .fileTooLarge(path: "a.json", bytesMax: 1_048_576),
      "'a.json' is larger than the 1048576-byte limit for configuration files"
    ),
    (
      .invalidJSON(file: "a.json", reason: "line 1, column 2: expected a string key"),
      "a.json: invalid JSON: line 1, column 2: expected a string key"
    ),
    (.extendsCycle(["a.json", "b.json", "a.json"]), "extends cycle: a.json -> b.json -> a.json"),
    (.extendsTooDeep(["a", "b"], depthMax: 1), "extends chain deeper than 1: a -> b"),
    (
      .unknownTemplate(name: "x", available: ["fmnist-cnn", "fmnist-mlp"]),
      "unknown template 'x' (built-in templates: fmnist-cnn, fmnist-mlp); "
        + "a path must contain '/' or end in '.json'"
    ),
    (
      .invalidOverride("epochs", reason: "expected path=value"),
      "invalid override 'epochs': expected path=value"
    ),
  ])
  func descriptionNamesThePathAndTheReason(error: ConfigurationError, text: String) {
    #expect(error.description == text)
  }
}
