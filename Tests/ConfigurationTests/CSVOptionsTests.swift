import Testing

@testable import Configuration

@Suite struct CSVOptionsTests {
  static let csv: KeyValuePairs<String, String> = ["data.source": "csv", "data.path": "rows.csv"]

  @Test func defaultsAreLabelFirstWithAHeaderAndCommas() throws {
    let options = try mlp(Self.csv).data.csv
    #expect(options.labelColumn == 0)
    #expect(options.hasHeader)
    #expect(options.delimiter == ",")
  }

  @Test func readsEveryField() throws {
    let options = try ProjectConfiguration.parse(
      json: """
        {"data": {"source": "csv", "path": "rows.csv",
                  "csv": {"labelColumn": 4, "hasHeader": false, "delimiter": "\\t"}}}
        """
    ).data.csv
    #expect(options.labelColumn == 4)
    #expect(!options.hasHeader)
    #expect(options.delimiter == "\t")
  }

  @Test(arguments: [";", "|", " ", "\t", ":"])
  func acceptsSeparatorCharacters(delimiter: String) throws {
    let json =
      #"{"data": {"source": "csv", "path": "r.csv", "csv": {"delimiter": "\#(delimiter)"}}}"#
      .replacingOccurrences(of: "\t", with: "\\t")
    #expect(try ProjectConfiguration.parse(json: json).data.csv.delimiter == Character(delimiter))
  }

  @Test(arguments: [",,", "a", "7", "\\\"", ".", "-", "é", "\\n"])
  func rejectsDelimitersThatAreNotOneSeparatorCharacter(written: String) throws {
    let json = #"{"data": {"source": "csv", "path": "r.csv", "csv": {"delimiter": "\#(written)"}}}"#
    let error = try #require(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(json: json)
    }
    guard case .invalidValue(let path, _, _) = error else {
      Issue.record("expected invalidValue, got \(error)")
      return
    }
    #expect(path == "data.csv.delimiter")
  }

  @Test func unknownOptionIsReportedWithItsPath() {
    #expect(
      throws: ConfigurationError.unknownField(path: "data.csv.header", suggestion: "hasHeader")
    ) { try mlp(["data.source": "csv", "data.path": "r.csv", "data.csv.header": "true"]) }
  }

  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "data.csv.labelColumn", limit: "0", pastLimit: "-1", allowed: "[0, 65535]",
      setup: overrides(csv), read: { Double($0.data.csv.labelColumn) }),
    RangeLimit(
      path: "data.csv.labelColumn", limit: "65535", pastLimit: "65536", allowed: "[0, 65535]",
      setup: overrides(csv), read: { Double($0.data.csv.labelColumn) }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }
}
