/// The `model` section: which network to train and how it is initialised.
public struct ModelConfiguration: Sendable, Equatable {
  /// The networks Starling can build.
  public enum Architecture: String, Sendable, CaseIterable {
    /// A multilayer perceptron over flattened inputs (images or CSV feature rows).
    case mlp
    /// A small convolutional network for images.
    case cnnSmall = "cnn-small"
    /// A small decoder-only transformer over text.
    case tinyTransformer = "tiny-transformer"
    /// A fixed scattering transform (J = 2, L = 8, 81 channels, group-normalised per example)
    /// followed by one trained linear layer, for grey images (the DP baseline of Tramèr and
    /// Boneh 2021).
    case scatternetLinear = "scatternet-linear"

    /// Whether the network reads images (or, for the MLP, feature vectors) rather than text.
    public var isImageModel: Bool { self != .tinyTransformer }
  }

  public let architecture: Architecture
  /// Seeds parameter initialisation (and any other randomness of the model).
  public let seed: UInt64
  /// Tokens per training sequence (tiny-transformer only; the default otherwise).
  public let contextLength: Int
  /// Width of the token embeddings (tiny-transformer only).
  public let embeddingSize: Int
  /// Attention heads per layer; divides `embeddingSize` (tiny-transformer only).
  public let heads: Int
  /// Transformer blocks (tiny-transformer only).
  public let layers: Int
  /// Probability of dropping an activation in training (tiny-transformer only).
  public let dropout: Double

  static let architectureDefault = Architecture.mlp
  static let contextLengthDefault = 64
  static let contextLengthRange = 1...4096
  static let embeddingSizeDefault = 64
  static let embeddingSizeRange = 1...4096
  static let headsDefault = 4
  static let headsRange = 1...64
  static let layersDefault = 2
  static let layersRange = 1...64
  static let dropoutDefault = 0.0
  static let dropoutInterval = Interval.upperOpen(0, 1)

  static let transformerFieldNames = [
    "contextLength", "embeddingSize", "heads", "layers", "dropout",
  ]
  static let fieldNames = ["architecture", "seed"] + transformerFieldNames
}

extension ModelConfiguration: ConfigurationSection {
  static let key = "model"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    architecture = try fields.choice("architecture", default: Self.architectureDefault)
    seed = try fields.unsignedInteger("seed", default: 0)
    if architecture.isImageModel {
      let name = architecture.rawValue
      try fields.reject(Self.transformerFieldNames) { key in
        "\(key) applies only to tiny-transformer, not \(name)"
      }
    }
    contextLength = try fields.integer(
      "contextLength", default: Self.contextLengthDefault, in: Self.contextLengthRange)
    embeddingSize = try fields.integer(
      "embeddingSize", default: Self.embeddingSizeDefault, in: Self.embeddingSizeRange)
    heads = try fields.integer("heads", default: Self.headsDefault, in: Self.headsRange)
    layers = try fields.integer("layers", default: Self.layersDefault, in: Self.layersRange)
    dropout = try fields.number("dropout", default: Self.dropoutDefault, in: Self.dropoutInterval)
    guard embeddingSize % heads == 0 else {
      throw .invalidCombination(
        path: fields.path(of: "heads"),
        reason: "heads (\(heads)) must divide embeddingSize (\(embeddingSize))")
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "architecture": .string(architecture.rawValue), "seed": .integer(seed),
    ]
    if architecture == .tinyTransformer {
      members["contextLength"] = .integer(contextLength)
      members["embeddingSize"] = .integer(embeddingSize)
      members["heads"] = .integer(heads)
      members["layers"] = .integer(layers)
      members["dropout"] = .double(dropout)
    }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `model` section.
  public var model: ModelConfiguration { section(ModelConfiguration.self) }
}
