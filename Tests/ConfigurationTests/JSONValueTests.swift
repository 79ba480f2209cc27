import Testing

@testable import Configuration

@Suite struct JSONValueTests {
  @Test func summaryNamesTheTypeAndShortScalars() {
    #expect(JSONValue.null.summary == "null")
    #expect(JSONValue.bool(false).summary == "boolean false")
    #expect(JSONValue.number("3.5").summary == "number 3.5")
    #expect(JSONValue.string("five").summary == #"string "five""#)
    #expect(JSONValue.commandLine("five").summary == #"string "five""#)
    #expect(JSONValue.array([.null]).summary == "array")
    #expect(JSONValue.object([:]).summary == "object")
  }

  @Test func summaryShortensLongStrings() {
    let long = JSONValue.string(String(repeating: "x", count: 41)).summary
    #expect(long == "string \"" + String(repeating: "x", count: 40) + "...\"")
    let limit = JSONValue.string(String(repeating: "x", count: 40)).summary
    #expect(limit == "string \"" + String(repeating: "x", count: 40) + "\"")
  }

  @Test func numberConstructorsWriteJSONLiterals() {
    #expect(JSONValue.integer(UInt64.max) == .number("18446744073709551615"))
    #expect(JSONValue.integer(-3) == .number("-3"))
    #expect(JSONValue.double(0.05) == .number("0.05"))
    #expect(JSONValue.double(1e-8) == .number("1e-08"))
  }

  @Test func objectMembersIsNilForOtherValues() {
    #expect(JSONValue.object(["a": .null]).objectMembers == ["a": .null])
    #expect(JSONValue.array([]).objectMembers == nil)
  }
}
