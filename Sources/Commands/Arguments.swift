/// A mistake on the command line, reported with the usage of the command.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Command-line options: `--name value`, `--name=value` and boolean `--flag`s.
///
/// Every option must be consumed by the command; anything left over is an error naming it, so
/// a misspelt flag never goes unnoticed.
struct Arguments {
  /// Options accepted per command line (a bound on untrusted input).
  static let optionsMax = 64

  private var values: [String: String] = [:]
  private var flags: Set<String> = []
  private(set) var positional: [String] = []

  init(_ arguments: [String], booleanFlags: Set<String>) throws(UsageError) {
    guard arguments.count <= 2 * Self.optionsMax else { throw UsageError("too many arguments") }
    var index = 0
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      guard argument.hasPrefix("--") else {
        positional.append(argument)
        continue
      }
      let body = String(argument.dropFirst(2))
      if let equals = body.firstIndex(of: "=") {
        values[String(body[..<equals])] = String(body[body.index(after: equals)...])
      } else if booleanFlags.contains(body) {
        flags.insert(body)
      } else {
        guard index < arguments.count else { throw UsageError("option --\(body) needs a value") }
        values[body] = arguments[index]
        index += 1
      }
    }
  }

  /// Takes a boolean flag.
  mutating func flag(_ name: String) -> Bool { flags.remove(name) != nil }

  /// Takes a string option.
  mutating func option(_ name: String) -> String? { values.removeValue(forKey: name) }

  /// Takes an integer option within `range`.
  mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
    guard let text = option(name) else { return nil }
    guard let value = Int(text), range.contains(value) else {
      throw UsageError(
        "--\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
    }
    return value
  }

  /// Fails if any option was not consumed.
  func finish() throws(UsageError) {
    if let unknown = (Array(values.keys) + Array(flags)).sorted().first {
      throw UsageError("unknown option --\(unknown)")
    }
  }
}
