/// The templates a file can name in `extends`, written as the JSON a user would write.
enum BuiltInTemplates {
  static let sources: [String: String] = [
    "fmnist-mlp": """
    {
      "project": { "name": "fmnist-mlp" },
      "model": { "architecture": "mlp" },
      "data": { "source": "fashion-mnist" },
      "training": {
        "epochs": 5,
        "batchSize": 64,
        "optimizer": { "kind": "sgd", "learningRate": 0.05, "momentum": 0.9 }
      }
    }
    """,
    "fmnist-cnn": """
    {
      "project": { "name": "fmnist-cnn" },
      "model": { "architecture": "cnn-small" },
      "data": { "source": "fashion-mnist" },
      "training": {
        "epochs": 3,
        "batchSize": 64,
        "optimizer": { "kind": "sgd", "learningRate": 0.05, "momentum": 0.9 }
      }
    }
    """,
    // `data.path` is left for the extending file (or an override) to give: there is no default
    // text corpus.
    "text-transformer": """
    {
      "project": { "name": "text-transformer" },
      "model": { "architecture": "tiny-transformer", "contextLength": 64 },
      "data": { "source": "text" },
      "training": {
        "batchSize": 32,
        "optimizer": { "kind": "adam", "learningRate": 3e-3 }
      }
    }
    """,
  ]
}

extension ProjectConfiguration {
  /// Names of the built-in templates, sorted.
  public static var templateNames: [String] { BuiltInTemplates.sources.keys.sorted() }

  /// A built-in template, with `overrides` applied (`text-transformer` needs `data.path`).
  public static func template(
    named name: String, overrides: [ConfigurationOverride] = []
  ) throws(ConfigurationError) -> ProjectConfiguration {
    guard let source = BuiltInTemplates.sources[name] else {
      throw .unknownTemplate(name: name, available: templateNames)
    }
    let document = try DocumentLoader.resolve(
      text: source, origin: .template(name: name), chain: [])
    return try ProjectConfiguration(validating: document.applying(overrides))
  }
}
