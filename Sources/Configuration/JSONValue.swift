/// A parsed JSON document: the form a configuration has between the file and the typed value.
///
/// Numbers keep their literal text, so a `UInt64` seed above 2^53 survives exactly and each field
/// decides whether it wants an integer or a floating-point value.
enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// A number, as its JSON literal (`-12`, `0.05`, `3e-3`).
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])
  /// Text from a command-line override, not yet interpreted: the field that reads it decides
  /// whether it is JSON or a plain string (see `ConfigurationOverride`).
  case commandLine(String)

  /// A number value for a Swift integer.
  static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }

  /// A number value for a finite Swift `Double`.
  static func double(_ value: Double) -> JSONValue {
    precondition(value.isFinite, "JSON has no literal for \(value)")
    return .number(value.description)
  }

  /// The members of an object, or `nil` for any other value.
  var objectMembers: [String: JSONValue]? {
    if case .object(let members) = self { return members }
    return nil
  }

  /// A short description of the value for error messages: its type, and the value itself when it
  /// is a short scalar (`string "five"`, `number 3.5`, `object`).
  var summary: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return "boolean \(value)"
    case .number(let literal): return "number \(literal)"
    case .string(let text), .commandLine(let text):
      let shown =
        text.count > Self.summaryCharactersMax
        ? String(text.prefix(Self.summaryCharactersMax)) + "..." : text
      return "string \"\(shown)\""
    case .array: return "array"
    case .object: return "object"
    }
  }

  /// Longest piece of a string quoted back in an error message.
  static let summaryCharactersMax = 40
}
