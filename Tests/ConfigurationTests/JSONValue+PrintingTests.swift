import Testing

@testable import Configuration

@Suite struct JSONValuePrintingTests {
  @Test func printsSortedKeysWithTwoSpaceIndentation() {
    let value = JSONValue.object([
      "b": .array([.number("1"), .bool(true)]), "a": .object(["z": .null]), "c": .array([]),
      "d": .object([:]),
    ])
    #expect(
      value.prettyPrinted() == """
        {
          "a": {
            "z": null
          },
          "b": [
            1,
            true
          ],
          "c": [],
          "d": {}
        }
        """)
  }

  @Test func escapesQuotesBackslashesAndControlCharactersOnly() {
    let value = JSONValue.string("\"\\\n\r\t\u{1}/é")
    #expect(value.prettyPrinted() == #""\"\\\n\r\t\u0001/é""#)
  }

  @Test func printedTextParsesBackToTheSameValue() throws {
    let value = JSONValue.object([
      "text": .string("line\nbreak \u{1F} 😀"), "number": .number("-1.5e-7"),
      "list": .array([.object(["k": .bool(false)])]),
    ])
    #expect(try JSONParser.parse(value.prettyPrinted()) == value)
  }
}
