import Testing

@testable import Configuration

@Suite struct FieldReaderTests {
  @Test func unknownTopLevelFieldSuggestsTheSection() {
    #expect(throws: ConfigurationError.unknownField(path: "trainig", suggestion: "training")) {
      try ProjectConfiguration.parse(json: #"{"trainig": {}}"#)
    }
  }

  @Test func unknownFieldFarFromEveryNameHasNoSuggestion() {
    #expect(throws: ConfigurationError.unknownField(path: "model.colour", suggestion: nil)) {
      try ProjectConfiguration.parse(json: #"{"model": {"colour": "blue"}}"#)
    }
  }

  @Test func unknownFieldsAreRejectedEvenWhenNull() {
    #expect(throws: ConfigurationError.unknownField(path: "data.pth", suggestion: "path")) {
      try ProjectConfiguration.parse(json: #"{"data": {"pth": null}}"#)
    }
  }

  @Test func sectionMustBeAnObject() {
    #expect(
      throws: ConfigurationError.wrongType(path: "model", expected: "object", found: "boolean true")
    ) { try ProjectConfiguration.parse(json: #"{"model": true}"#) }
  }

  @Test(arguments: [("64", 64), ("64.0", 64), ("6.4e1", 64), ("-0", 0)])
  func wholeNumbersInAnyNotationAreIntegers(literal: String, value: Int) throws {
    let fields = try FieldReader(
      .object(["n": .number(literal)]), path: "x", knownFields: ["n"])
    #expect(try fields.integer("n", default: 1, in: -5...100) == value)
  }

  @Test func integerBeyondEveryIntegerTypeIsOutOfRange() throws {
    let fields = try FieldReader(.object(["n": .number("1e400")]), path: "x", knownFields: ["n"])
    #expect(throws: ConfigurationError.outOfRange(path: "x.n", value: "1e400", allowed: "[1, 9]")) {
      try fields.integer("n", default: 1, in: 1...9)
    }
  }

  @Test func numberBeyondDoubleIsOutOfRange() throws {
    let fields = try FieldReader(.object(["n": .number("1e400")]), path: "x", knownFields: ["n"])
    #expect(throws: ConfigurationError.outOfRange(path: "x.n", value: "1e400", allowed: "[0, 1]")) {
      try fields.number("n", default: 0, in: .closed(0, 1))
    }
  }

  @Test func absentAndNullFieldsTakeTheDefault() throws {
    let fields = try FieldReader(.object(["n": .null]), path: "x", knownFields: ["n", "m"])
    #expect(try fields.integer("n", default: 3, in: 1...9) == 3)
    #expect(try fields.integer("m", default: 4, in: 1...9) == 4)
    #expect(!fields.contains("n"))
  }

  @Test func commandLineTextIsReadAsTheFieldsType() throws {
    let fields = try FieldReader(
      .object([
        "count": .commandLine("12"), "flag": .commandLine("false"), "name": .commandLine("12"),
        "quoted": .commandLine(#""a b""#), "reset": .commandLine("null"),
      ]), path: "x", knownFields: ["count", "flag", "name", "quoted", "reset"])
    #expect(try fields.integer("count", default: 0, in: 0...99) == 12)
    #expect(try fields.bool("flag", default: true) == false)
    #expect(try fields.string("name", default: "") == "12")
    #expect(try fields.string("quoted", default: "") == "a b")
    #expect(try fields.optionalString("reset") == nil)
  }

  @Test func requireReportsAMissingField() throws {
    let fields = try FieldReader(nil, path: "x", knownFields: ["y"])
    #expect(throws: ConfigurationError.missingField(path: "x.y")) { try fields.require("y") }
  }

  @Test func plannedSectionsAreUnsupportedRatherThanUnknown() {
    #expect(throws: ConfigurationError.unsupportedSection(path: "topology")) {
      try FieldReader(
        .object(["topology": .object([:])]), path: "", knownFields: ["model"],
        plannedFields: ["topology"])
    }
  }
}
