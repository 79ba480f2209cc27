import Foundation
import Testing

@testable import Configuration

@Suite struct JSONValueCodableTests {
  @Test func decodesEveryKindOfValue() throws {
    let data = Data(
      #"{"a": [1, -2, 0.5, true, null, "s"], "big": 18446744073709551615}"#.utf8)
    let value = try JSONDecoder().decode(JSONValue.self, from: data)
    #expect(
      value
        == .object([
          "a": .array([
            .number("1"), .number("-2"), .number("0.5"), .bool(true), .null, .string("s"),
          ]),
          "big": .number("18446744073709551615"),
        ]))
  }

  @Test func roundTripsThroughFoundationsCoders() throws {
    let value = JSONValue.object([
      "n": .number("0.25"), "i": .number("-7"), "u": .number("18446744073709551615"),
      "s": .string("x"), "b": .bool(false), "z": .null, "l": .array([.number("1")]),
    ])
    let data = try JSONEncoder().encode(value)
    #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
  }
}
