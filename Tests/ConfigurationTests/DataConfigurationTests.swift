import Testing

@testable import Configuration

@Suite struct DataConfigurationTests {
  @Test func defaultsAreFashionMNISTFromTheDebianPackageOnOnePeer() throws {
    let data = try ProjectConfiguration.parse(json: "{}").data
    #expect(data.source == .fashionMNIST)
    #expect(data.path == "/usr/share/datasets/fashion-mnist")
    #expect(data.trainLimit == nil)
    #expect(data.testLimit == nil)
    #expect(data.partition.kind == .iid)
    #expect(data.peers == 1)
  }

  @Test(arguments: ["idx-directory", "csv", "cifar10"])
  func sourcesWithoutADefaultLocationRequireAPath(source: String) {
    #expect(throws: ConfigurationError.missingField(path: "data.path")) {
      try mlp(["data.source": source, "data.path": "null"])
    }
  }

  @Test func textRequiresAPath() {
    #expect(throws: ConfigurationError.missingField(path: "data.path")) {
      try ProjectConfiguration.template(named: "text-transformer")
    }
  }

  @Test func syntheticDataHasNoPath() throws {
    #expect(try mlp(["data.source": "synthetic", "data.path": "null"]).data.path == nil)
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.path",
        reason: "synthetic data is generated and has no path"
          + "; remove it, or set it to null if it comes from an extended file")
    ) { try mlp(["data.source": "synthetic", "data.path": "/tmp/x"]) }
  }

  @Test func transformerNeedsTextSource() {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.source",
        reason: "tiny-transformer reads text: it needs source text, not fashion-mnist")
    ) { try mlp(["model.architecture": "tiny-transformer"]) }
  }

  @Test(arguments: ["mlp", "cnn-small"])
  func imageModelsRejectText(architecture: String) {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.source", reason: "text needs the tiny-transformer model, not \(architecture)")
    ) {
      try mlp(["model.architecture": architecture, "data.source": "text", "data.path": "a.txt"])
    }
  }

  @Test func csvWorksOnlyWithTheMLP() throws {
    let data = try mlp(["data.source": "csv", "data.path": "train.csv"]).data
    #expect(data.source == .csv)
    #expect(data.path == "train.csv")
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.source",
        reason: "csv rows are flat feature vectors: only mlp reads them, not cnn-small")
    ) { try mlp(["model.architecture": "cnn-small", "data.source": "csv", "data.path": "a.csv"]) }
  }

  @Test(arguments: ["fashion-mnist", "idx-directory", "cifar10", "synthetic"])
  func imageSourcesWorkWithBothImageModels(source: String) throws {
    let path = source == "synthetic" ? "null" : "/data"
    for architecture in ["mlp", "cnn-small"] {
      let data = try mlp([
        "model.architecture": architecture, "data.source": source, "data.path": path,
      ])
      .data
      #expect(data.source.rawValue == source)
    }
  }

  @Test func csvOptionsAreRejectedForOtherSources() {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.csv",
        reason: "csv options apply only to source csv, not fashion-mnist"
          + "; remove it, or set it to null if it comes from an extended file")
    ) { try mlp(["data.csv.hasHeader": "false"]) }
  }

  @Test func limitsAndPeersAreRead() throws {
    let data = try mlp(["data.trainLimit": "1000", "data.testLimit": "200", "data.peers": "8"])
      .data
    #expect(data.trainLimit == 1000)
    #expect(data.testLimit == 200)
    #expect(data.peers == 8)
  }

  @Test func unknownSourceListsTheAllowedOnes() {
    #expect(
      throws: ConfigurationError.invalidValue(
        path: "data.source", value: "mnist",
        allowed: "fashion-mnist, idx-directory, csv, cifar10, text, synthetic")
    ) { try mlp(["data.source": "mnist"]) }
  }

  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "data.trainLimit", limit: "1", pastLimit: "0", allowed: "[1, 100000000]",
      read: { Double($0.data.trainLimit!) }),
    RangeLimit(
      path: "data.trainLimit", limit: "100000000", pastLimit: "100000001",
      allowed: "[1, 100000000]", read: { Double($0.data.trainLimit!) }),
    RangeLimit(
      path: "data.testLimit", limit: "1", pastLimit: "0", allowed: "[1, 100000000]",
      read: { Double($0.data.testLimit!) }),
    RangeLimit(
      path: "data.testLimit", limit: "100000000", pastLimit: "100000001",
      allowed: "[1, 100000000]", read: { Double($0.data.testLimit!) }),
    RangeLimit(
      path: "data.peers", limit: "1", pastLimit: "0", allowed: "[1, 65536]",
      read: { Double($0.data.peers) }),
    RangeLimit(
      path: "data.peers", limit: "65536", pastLimit: "65537", allowed: "[1, 65536]",
      read: { Double($0.data.peers) }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }

  @Test func pathsAtTheStringLengthLimit() throws {
    let longest = String(repeating: "a", count: 4096)
    #expect(try mlp(["data.path": longest]).data.path == longest)
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "data.path", value: "a string of 4097 bytes", allowed: "1 to 4096 bytes")
    ) { try ProjectConfiguration.parse(json: #"{"data": {"path": "\#(longest)a"}}"#) }
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "data.path", value: "a string of 0 bytes", allowed: "1 to 4096 bytes")
    ) { try ProjectConfiguration.parse(json: #"{"data": {"path": ""}}"#) }
  }
}
