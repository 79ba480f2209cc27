import Testing

@testable import Configuration

@Suite struct JSONParserTests {
  @Test func parsesEveryKindOfValue() throws {
    let value = try JSONParser.parse(
      #" {"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}, "e": {}, "f": []} "#)
    #expect(
      value
        == .object([
          "a": .array([.number("1"), .number("-2.5e3"), .bool(true), .bool(false), .null]),
          "b": .object(["c": .string("d")]), "e": .object([:]), "f": .array([]),
        ]))
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let value = try JSONParser.parse(#""q\" s\\ /\/ \b\f\n\r\t \u00e9 \uD83D\uDE00 é""#)
    #expect(value == .string("q\" s\\ // \u{8}\u{C}\n\r\t é 😀 é"))
  }

  @Test func keepsNumberLiteralsExactly() throws {
    #expect(try JSONParser.parse("18446744073709551615") == .number("18446744073709551615"))
    #expect(try JSONParser.parse("0.1000") == .number("0.1000"))
  }

  @Test(arguments: [
    ("", "line 1, column 1: unexpected end of input, expected a value"),
    ("{\"a\": 1,}", "line 1, column 9: expected a string key"),
    ("[1 2]", "line 1, column 4: expected ',' or ']'"),
    ("{\"a\" 1}", "line 1, column 6: expected ':' after a key"),
    ("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key \"a\""),
    ("tru", "line 1, column 1: invalid literal, expected 'true'"),
    ("01", "line 1, column 2: unexpected content after the end of the document"),
    ("1.", "line 1, column 3: expected a digit after '.'"),
    ("1e", "line 1, column 3: expected a digit in the exponent"),
    ("-", "line 1, column 2: expected a digit"),
    ("\"abc", "line 1, column 5: unterminated string"),
    ("\"a\nb\"", "line 1, column 3: control character 0xA in a string (escape it)"),
    ("\"\\x\"", "line 1, column 3: invalid escape sequence: backslash followed by 'x'"),
    ("\"\\u12\"", "line 1, column 6: expected four hexadecimal digits after \\u"),
    ("\"\\uD800\"", "line 1, column 8: unpaired UTF-16 surrogate"),
    ("NaN", "line 1, column 1: unexpected character 'N', expected a value"),
    ("{}\n\n  x", "line 3, column 3: unexpected content after the end of the document"),
  ])
  func reportsTheFirstErrorWithLineAndColumn(text: String, reason: String) {
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    do {
      _ = try JSONParser.parse(text)
    } catch {
      #expect(error.reason == reason)
    }
  }

  @Test func nestingAtTheLimitParsesAndOneDeeperIsRejected() throws {
    let limit = JSONParser.nestingDepthMax
    let atLimit = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
    _ = try JSONParser.parse(atLimit)
    let deeper = "[" + atLimit + "]"
    do {
      _ = try JSONParser.parse(deeper)
      Issue.record("nesting deeper than the limit was accepted")
    } catch {
      #expect(error.message == "nesting deeper than 32 levels")
    }
  }

  @Test func hostileNestingFailsWithoutExhaustingTheStack() {
    let hostile = String(repeating: "[", count: 1_000_000)
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(hostile) }
  }
}
