/// The `data` section: where the samples come from and how they are split across peers.
public struct DataConfiguration: Sendable, Equatable {
  public enum Source: String, Sendable, CaseIterable {
    /// Fashion-MNIST IDX files (Debian's `dataset-fashion-mnist` by default).
    case fashionMNIST = "fashion-mnist"
    /// Any directory of MNIST-style IDX files.
    case idxDirectory = "idx-directory"
    /// One CSV file, one sample per row (see `CSVOptions`).
    case csv
    /// The CIFAR-10 binary batches in a directory.
    case cifar10
    /// A text file, for the tiny transformer.
    case text
    /// Generated in memory; no files.
    case synthetic
  }

  public let source: Source
  /// The file or directory to read: `nil` only for synthetic data. A relative path written in a
  /// file is resolved against that file's directory while it is loaded.
  public let path: String?
  /// How to read the CSV file (source csv; the defaults otherwise).
  public let csv: CSVOptions
  /// Use only the first `trainLimit` training samples (for quick runs); `nil` uses all.
  public let trainLimit: Int?
  /// Use only the first `testLimit` test samples; `nil` uses all.
  public let testLimit: Int?
  /// How the training set is split across `peers`.
  public let partition: PartitionConfiguration
  /// How many peers the training set is split across.
  public let peers: Int

  static let sourceDefault = Source.fashionMNIST
  /// Where Debian's `dataset-fashion-mnist` package puts the IDX files.
  public static let fashionMNISTPathDefault = "/usr/share/datasets/fashion-mnist"
  static let sampleLimitRange = 1...100_000_000
  static let peersDefault = 1
  /// The partitioners' bound (`Partitioning.peerCountMax`, 2^16): a simulation of more peers
  /// could not split the data, so the file is refused at load instead.
  public static let peersRange = 1...65_536
  static let fieldNames = [
    "source", "path", "csv", "trainLimit", "testLimit", "partition", "peers",
  ]

  /// Sources read from a file or directory that has no default location.
  static let sourcesNeedingPath: [Source] = [.idxDirectory, .csv, .cifar10, .text]
}

extension DataConfiguration: ConfigurationSection {
  static let key = "data"
  static let filePathFields = ["path"]

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    source = try fields.choice("source", default: Self.sourceDefault)
    try Self.checkSource(source, fits: earlier.model.architecture, path: fields.path(of: "source"))
    path = try Self.readPath(for: source, from: fields)
    if source == .csv {
      csv = try CSVOptions(reading: fields.object("csv", knownFields: CSVOptions.fieldNames))
    } else {
      let sourceName = source.rawValue
      try fields.reject(["csv"]) { _ in "csv options apply only to source csv, not \(sourceName)" }
      csv = .standard
    }
    trainLimit = try fields.optionalInteger("trainLimit", in: Self.sampleLimitRange)
    testLimit = try fields.optionalInteger("testLimit", in: Self.sampleLimitRange)
    partition = try PartitionConfiguration(
      reading: fields.object("partition", knownFields: PartitionConfiguration.fieldNames))
    peers = try fields.integer("peers", default: Self.peersDefault, in: Self.peersRange)
  }

  /// The transformer reads token sequences, the other models read fixed-size inputs; the
  /// convolutional model needs image geometry, which CSV rows do not have.
  private static func checkSource(
    _ source: Source, fits architecture: ModelConfiguration.Architecture, path: String
  ) throws(ConfigurationError) {
    let model = architecture.rawValue
    if architecture == .tinyTransformer, source != .text {
      throw .invalidCombination(
        path: path,
        reason: "tiny-transformer reads text: it needs source text, not \(source.rawValue)")
    }
    if architecture != .tinyTransformer, source == .text {
      throw .invalidCombination(
        path: path, reason: "text needs the tiny-transformer model, not \(model)")
    }
    if architecture == .cnnSmall || architecture == .scatternetLinear, source == .csv {
      throw .invalidCombination(
        path: path, reason: "csv rows are flat feature vectors: only mlp reads them, not \(model)")
    }
  }

  private static func readPath(
    for source: Source, from fields: FieldReader
  ) throws(ConfigurationError) -> String? {
    switch source {
    case .synthetic:
      try fields.reject(["path"]) { _ in "synthetic data is generated and has no path" }
      return nil
    case .fashionMNIST:
      return try fields.string("path", default: fashionMNISTPathDefault)
    case .idxDirectory, .csv, .cifar10, .text:
      try fields.require("path")
      return try fields.optionalString("path")
    }
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = [
      "source": .string(source.rawValue), "partition": partition.jsonValue,
      "peers": .integer(peers),
    ]
    if let path { members["path"] = .string(path) }
    if source == .csv { members["csv"] = csv.jsonValue }
    if let trainLimit { members["trainLimit"] = .integer(trainLimit) }
    if let testLimit { members["testLimit"] = .integer(testLimit) }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `data` section.
  public var data: DataConfiguration { section(DataConfiguration.self) }
}
