import Configuration
import Platform

/// A mistake on the command line, reported with the usage of the command.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Command-line options: `--name value`, `--name=value` and boolean `--flag`s.
///
/// The one parser every command uses, so the rules hold everywhere:
/// - every option must be consumed by the command; anything left over is an error naming it, so a
///   misspelt flag never goes unnoticed;
/// - an option given twice is an error (`--set`, which is meant to repeat, excepted), instead of
///   the last one silently winning;
/// - numbers are parsed and checked here, and a value out of range, non-finite, or too large to
///   convert is an error naming the flag, never a trap in a later conversion;
/// - options that set configuration fields are applied in command-line order together with the
///   `--set` assignments (`--epochs 3 --set training.epochs=5` gives 5, the reverse gives 3).
struct Arguments {
  /// Options accepted per command line (a bound on untrusted input).
  static let optionsMax = 64
  /// Options that may be given more than once.
  static let repeatable: Set<String> = ["set", "bootstrap", "byzantine"]

  /// One option as given, with its position on the line.
  private struct Occurrence {
    var name: String
    var value: String?
    var position: Int
  }

  private var occurrences: [Occurrence] = []
  private(set) var positional: [String] = []

  init(_ arguments: [String], booleanFlags: Set<String>) throws(UsageError) {
    guard arguments.count <= 2 * Self.optionsMax else { throw UsageError("too many arguments") }
    var index = 0
    var seen: Set<String> = []
    while index < arguments.count {
      let argument = arguments[index]
      let position = index
      index += 1
      guard argument.hasPrefix("--"), argument.count > 2 else {
        positional.append(argument)
        continue
      }
      let body = String(argument.dropFirst(2))
      var occurrence: Occurrence
      if let equals = body.firstIndex(of: "=") {
        occurrence = Occurrence(
          name: String(body[..<equals]), value: String(body[body.index(after: equals)...]),
          position: position)
        if booleanFlags.contains(occurrence.name) {
          throw UsageError("--\(occurrence.name) takes no value")
        }
      } else if booleanFlags.contains(body) {
        occurrence = Occurrence(name: body, value: nil, position: position)
      } else {
        guard index < arguments.count else { throw UsageError("option --\(body) needs a value") }
        occurrence = Occurrence(name: body, value: arguments[index], position: position)
        index += 1
      }
      guard !seen.contains(occurrence.name) || Self.repeatable.contains(occurrence.name) else {
        throw UsageError("--\(occurrence.name) is given more than once")
      }
      seen.insert(occurrence.name)
      occurrences.append(occurrence)
    }
  }

  /// Takes a boolean flag.
  mutating func flag(_ name: String) -> Bool {
    guard let index = occurrences.firstIndex(where: { $0.name == name && $0.value == nil }) else {
      return false
    }
    occurrences.remove(at: index)
    return true
  }

  /// Whether a `--set` assigns the field `path`.
  func containsAssignment(to path: String) -> Bool {
    occurrences.contains { $0.name == "set" && $0.value?.hasPrefix(path + "=") == true }
  }

  /// Whether the line holds `name` (without taking it).
  func contains(_ name: String) -> Bool { occurrences.contains { $0.name == name } }

  /// Takes a string option.
  mutating func option(_ name: String) -> String? {
    guard let index = occurrences.firstIndex(where: { $0.name == name && $0.value != nil }) else {
      return nil
    }
    return occurrences.remove(at: index).value
  }

  /// Takes every value of a repeatable option, in order.
  mutating func options(_ name: String) -> [String] {
    var values: [String] = []
    while let value = option(name) { values.append(value) }
    return values
  }

  /// Takes a non-empty string option.
  mutating func nonEmptyOption(_ name: String) throws(UsageError) -> String? {
    guard let text = option(name) else { return nil }
    guard !text.isEmpty else { throw UsageError("--\(name) must not be empty") }
    return text
  }

  /// Takes an integer option within `range`.
  mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
    guard let text = option(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw UsageError(
        "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return value
  }

  /// Takes an unsigned 64-bit integer option within `range` (seeds take the whole range).
  mutating func unsigned(
    _ name: String, in range: ClosedRange<UInt64> = 0...UInt64.max
  ) throws(UsageError) -> UInt64? {
    guard let text = option(name) else { return nil }
    guard let value = UInt64(text), range.contains(value) else {
      throw UsageError(
        "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return value
  }

  /// Takes a finite number within `range`.
  mutating func number(
    _ name: String, in range: ClosedRange<Double>
  ) throws(UsageError) -> Double? {
    guard let text = option(name) else { return nil }
    return try Self.number(text, name: name, in: range)
  }

  /// `text` as a finite number within `range`, or an error naming `--name`.
  static func number(
    _ text: String, name: String, in range: ClosedRange<Double>
  ) throws(UsageError) -> Double {
    guard let value = Double(text), value.isFinite, range.contains(value) else {
      throw UsageError(
        "--\(name) must be a finite number in \(range.lowerBound)...\(range.upperBound), "
          + "got '\(text)'")
    }
    return value
  }

  /// Takes a duration in seconds (fractions allowed) within `0...secondsMax`, as milliseconds.
  mutating func milliseconds(
    _ name: String, secondsMax: Double
  ) throws(UsageError) -> UInt64? {
    guard let text = option(name) else { return nil }
    return try Self.milliseconds(text, name: name, secondsMax: secondsMax)
  }

  /// Seconds in `text` as milliseconds; `secondsMax` keeps every later sum of such durations far
  /// from overflow.
  static func milliseconds(
    _ text: String, name: String, secondsMax: Double
  ) throws(UsageError) -> UInt64 {
    precondition(secondsMax * 1000 < Double(UInt64.max / 4), "bound too large to stay checked")
    let seconds = try number(text, name: name, in: 0...secondsMax)
    return UInt64((seconds * 1000).rounded())
  }

  /// Takes a comma-separated list of durations in seconds, as milliseconds.
  mutating func millisecondsList(
    _ name: String, secondsMax: Double, countMax: Int
  ) throws(UsageError) -> [UInt64]? {
    guard let text = option(name) else { return nil }
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count <= countMax else {
      throw UsageError("--\(name) takes at most \(countMax) values")
    }
    var values: [UInt64] = []
    for part in parts {
      values.append(try Self.milliseconds(String(part), name: name, secondsMax: secondsMax))
    }
    return values
  }

  /// Takes `--max-memory SIZE` (`512MiB`, `2GiB`, bytes) and returns the budget it sets.
  mutating func memoryBudget() throws(UsageError) -> MemoryBudget {
    guard let text = option("max-memory") else { return .system() }
    guard let bytes = MemoryBudget.parseSize(text), bytes > 0 else {
      throw UsageError(
        "--max-memory must be a size such as 512MiB, 2GiB or a number of bytes, got '\(text)'")
    }
    return .system(cappedAt: bytes)
  }

  /// A flag that sets a configuration field: its name, the field, and how its text becomes the
  /// field's value (`nil` keeps the text; a boolean flag has no text and gives fixed values).
  struct FieldFlag: Sendable {
    var flag: String
    var assignments: @Sendable (String?) throws(UsageError) -> [ConfigurationOverride]

    /// `--flag VALUE` sets `path` to VALUE.
    static func value(_ flag: String, _ path: String) -> FieldFlag {
      FieldFlag(flag: flag) { text in [ConfigurationOverride(path: path, value: text ?? "")] }
    }

    /// A boolean `--flag` sets each path to its value.
    static func setting(_ flag: String, _ fields: [(String, String)]) -> FieldFlag {
      FieldFlag(flag: flag) { _ in fields.map { ConfigurationOverride(path: $0.0, value: $0.1) } }
    }
  }

  /// Takes the `fields` flags and every `--set`, as overrides in command-line order.
  mutating func overrides(_ fields: [FieldFlag]) throws -> [ConfigurationOverride] {
    var ordered: [(position: Int, overrides: [ConfigurationOverride])] = []
    var remaining: [Occurrence] = []
    for occurrence in occurrences {
      if occurrence.name == "set", let value = occurrence.value {
        ordered.append((occurrence.position, [try ConfigurationOverride(assignment: value)]))
      } else if let field = fields.first(where: { $0.flag == occurrence.name }) {
        ordered.append((occurrence.position, try field.assignments(occurrence.value)))
      } else {
        remaining.append(occurrence)
      }
    }
    occurrences = remaining
    return ordered.sorted { $0.position < $1.position }.flatMap(\.overrides)
  }

  /// Fails if any option or positional argument was not consumed.
  func finish() throws(UsageError) {
    if let unknown = occurrences.min(by: { $0.position < $1.position }) {
      throw UsageError("unknown option --\(unknown.name)")
    }
    if let unexpected = positional.first {
      throw UsageError("unexpected argument '\(unexpected)'")
    }
  }
}
