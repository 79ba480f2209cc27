/// Reads the fields of one JSON object into typed values, checking types, ranges and unknown keys,
/// with the full dotted path of the field in every error.
///
/// A field that is absent or `null` takes its default: `null` is how a file resets a field that
/// it inherits through `extends`.
struct FieldReader {
  /// Dotted path of the object itself (`training.optimizer`; empty for the whole document).
  let path: String
  private let members: [String: JSONValue]

  /// Reads `value` as an object whose keys must all be in `knownFields`.
  ///
  /// - Parameters:
  ///   - value: the object; `nil` or `null` reads as an empty object.
  ///   - plannedFields: keys that a later version reads; they are rejected as
  ///     `unsupportedSection` rather than as unknown.
  init(
    _ value: JSONValue?, path: String, knownFields: [String], plannedFields: [String] = []
  ) throws(ConfigurationError) {
    self.path = path
    switch Self.interpret(value, asString: false) {
    case nil: members = [:]
    case .object(let members)?: self.members = members
    case let other?: throw .wrongType(path: path, expected: "object", found: other.summary)
    }
    let unknownKeys = members.keys.filter { !knownFields.contains($0) }
    for key in unknownKeys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
      if plannedFields.contains(key) { throw .unsupportedSection(path: self.path(of: key)) }
      throw .unknownField(
        path: self.path(of: key),
        suggestion: NameSuggestion.closest(to: key, among: knownFields))
    }
  }

  /// A reader over given members, for the elements of a list.
  private init(path: String, members: [String: JSONValue]) {
    self.path = path
    self.members = members
  }

  /// A list of 1 to `countMax` elements, each read by `read` from a reader that holds it under the
  /// key `key[i]`, so errors name the element (`security.aggregation[1]`).
  func list<Element>(
    _ key: String, default defaultValue: [Element], countMax: Int,
    element read: (FieldReader, String) throws(ConfigurationError) -> Element
  ) throws(ConfigurationError) -> [Element] {
    guard let value = Self.interpret(members[key], asString: false) else { return defaultValue }
    guard case .array(let items) = value else {
      throw .wrongType(path: path(of: key), expected: "array", found: value.summary)
    }
    guard (1...countMax).contains(items.count) else {
      throw .outOfRange(
        path: path(of: key), value: "\(items.count) items", allowed: "1 to \(countMax) items")
    }
    var elements: [Element] = []
    for (position, item) in items.enumerated() {
      let name = "\(key)[\(position)]"
      elements.append(try read(FieldReader(path: path, members: [name: item]), name))
    }
    return elements
  }

  /// The dotted path of one of this object's fields.
  func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  /// Whether `key` is present with a value other than `null`.
  func contains(_ key: String) -> Bool { Self.interpret(members[key], asString: false) != nil }

  /// The raw value of `key` (`nil` when absent or `null`), for a nested `FieldReader`.
  func value(_ key: String) -> JSONValue? { Self.interpret(members[key], asString: false) }

  /// The object at `key`, read with its own known fields.
  func object(_ key: String, knownFields: [String]) throws(ConfigurationError) -> FieldReader {
    try FieldReader(members[key], path: path(of: key), knownFields: knownFields)
  }

  /// Throws `missingField` unless `key` is present.
  func require(_ key: String) throws(ConfigurationError) {
    guard contains(key) else { throw .missingField(path: path(of: key)) }
  }

  /// Throws `invalidCombination` for the first of `keys` that is present, with `reason(key)`
  /// followed by a hint: such a field may come from an extended file, where it made sense.
  func reject(_ keys: [String], reason: (String) -> String) throws(ConfigurationError) {
    for key in keys where contains(key) {
      throw .invalidCombination(
        path: path(of: key),
        reason: reason(key) + "; remove it, or set it to null if it comes from an extended file")
    }
  }

  // MARK: Typed fields

  func bool(_ key: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
    switch Self.interpret(members[key], asString: false) {
    case nil: return defaultValue
    case .bool(let value)?: return value
    case let other?:
      throw .wrongType(path: path(of: key), expected: "boolean", found: other.summary)
    }
  }

  func integer(
    _ key: String, default defaultValue: Int, in range: ClosedRange<Int>
  ) throws(ConfigurationError) -> Int {
    try optionalInteger(key, in: range) ?? defaultValue
  }

  func optionalInteger(
    _ key: String, in range: ClosedRange<Int>
  ) throws(ConfigurationError) -> Int? {
    try optionalFixedWidthInteger(key, in: range)
  }

  func unsignedInteger(
    _ key: String, default defaultValue: UInt64
  ) throws(ConfigurationError) -> UInt64 {
    try optionalFixedWidthInteger(key, in: UInt64.min...UInt64.max) ?? defaultValue
  }

  func number(
    _ key: String, default defaultValue: Double, in interval: Interval
  ) throws(ConfigurationError) -> Double {
    try optionalNumber(key, in: interval) ?? defaultValue
  }

  func optionalNumber(_ key: String, in interval: Interval) throws(ConfigurationError) -> Double? {
    guard let value = Self.interpret(members[key], asString: false) else { return nil }
    guard case .number(let literal) = value, let number = Double(literal) else {
      throw .wrongType(path: path(of: key), expected: "number", found: value.summary)
    }
    guard number.isFinite, interval.contains(number) else {
      throw .outOfRange(path: path(of: key), value: literal, allowed: interval.description)
    }
    return number
  }

  func string(
    _ key: String, default defaultValue: String, bytes: ClosedRange<Int> = Self.stringBytes
  ) throws(ConfigurationError) -> String {
    try optionalString(key, bytes: bytes) ?? defaultValue
  }

  /// A string whose UTF-8 length is within `bytes`.
  func optionalString(
    _ key: String, bytes: ClosedRange<Int> = Self.stringBytes
  ) throws(ConfigurationError) -> String? {
    guard let value = Self.interpret(members[key], asString: true) else { return nil }
    guard case .string(let text) = value else {
      throw .wrongType(path: path(of: key), expected: "string", found: value.summary)
    }
    guard bytes.contains(text.utf8.count) else {
      throw .outOfRange(
        path: path(of: key), value: "a string of \(text.utf8.count) bytes",
        allowed: "\(bytes.lowerBound) to \(bytes.upperBound) bytes")
    }
    return text
  }

  /// One of the raw values of `Choice`.
  func choice<Choice: CaseIterable & RawRepresentable>(
    _ key: String, default defaultValue: Choice
  ) throws(ConfigurationError) -> Choice where Choice.RawValue == String {
    guard let text = try optionalString(key) else { return defaultValue }
    guard let value = Choice(rawValue: text) else {
      let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
      throw .invalidValue(path: path(of: key), value: text, allowed: allowed)
    }
    return value
  }

  /// Strings of 1 to `ProjectConfiguration.stringBytesMax` bytes.
  static let stringBytes = 1...ProjectConfiguration.stringBytesMax

  // MARK: Interpretation

  private func optionalFixedWidthInteger<Integer: FixedWidthInteger>(
    _ key: String, in range: ClosedRange<Integer>
  ) throws(ConfigurationError) -> Integer? {
    guard let value = Self.interpret(members[key], asString: false) else { return nil }
    guard case .number(let literal) = value else {
      throw .wrongType(path: path(of: key), expected: "integer", found: value.summary)
    }
    // Integers written with a fraction or exponent (`64.0`, `1e3`) are accepted when whole.
    let exact: Integer?
    if let parsed = Integer(literal) {
      exact = parsed
    } else if let number = Double(literal), number == number.rounded() {
      exact = Integer(exactly: number)
    } else {
      throw .wrongType(path: path(of: key), expected: "integer", found: value.summary)
    }
    guard let exact, range.contains(exact) else {
      throw .outOfRange(path: path(of: key), value: literal, allowed: range.intervalDescription)
    }
    return exact
  }

  /// The value a field holds, `nil` for absent or `null`. Command-line text is interpreted for
  /// the field that reads it: as a string field's text as written (a quoted JSON string is
  /// unquoted), otherwise as JSON when it parses and as a string when it does not. The text `null`
  /// means null for every field.
  private static func interpret(_ value: JSONValue?, asString: Bool) -> JSONValue? {
    switch value {
    case nil, .null?: return nil
    case .commandLine(let text)?:
      if text == "null" { return nil }
      let parsed = try? JSONParser.parse(text)
      if asString {
        if case .string? = parsed { return parsed }
        return .string(text)
      }
      return parsed ?? .string(text)
    case let other?: return other
    }
  }
}
