/// Why a configuration could not be loaded: every case names the field (as a dotted path such as
/// `training.optimizer.learningRate`) or the file it is about, and says what is wrong.
public enum ConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A key that no section of this version reads; `suggestion` is the closest known key when the
  /// name looks like a misspelling of it.
  case unknownField(path: String, suggestion: String?)
  /// A top-level section that a later version of Starling reads (`topology`, `security`,
  /// `network`).
  case unsupportedSection(path: String)
  /// A value of the wrong JSON type; `found` describes the value (`string "five"`, `object`).
  case wrongType(path: String, expected: String, found: String)
  /// A number, or the length of a string, outside the allowed range.
  case outOfRange(path: String, value: String, allowed: String)
  /// A string that is not one of the allowed values or does not have the allowed form.
  case invalidValue(path: String, value: String, allowed: String)
  /// A required field that is absent or null.
  case missingField(path: String)
  /// A field that is valid alone but not together with the rest of the configuration.
  case invalidCombination(path: String, reason: String)
  /// A file that could not be opened or read.
  case unreadableFile(path: String, reason: String)
  /// A file larger than `bytesMax`; it is not read past that bound.
  case fileTooLarge(path: String, bytesMax: Int)
  /// Text that is not valid JSON; `reason` gives the line and column.
  case invalidJSON(file: String, reason: String)
  /// A chain of `extends` that comes back to a file or template already in it, listed in order
  /// with the repeated name last.
  case extendsCycle([String])
  /// A chain of `extends` deeper than `depthMax`, listed in order.
  case extendsTooDeep([String], depthMax: Int)
  /// An `extends` name that is neither a built-in template nor a path.
  case unknownTemplate(name: String, available: [String])
  /// A command-line override that is not of the form `path=value`, or names a path that cannot be
  /// set.
  case invalidOverride(String, reason: String)

  public var description: String {
    switch self {
    case .unknownField(let path, let suggestion):
      let hint = suggestion.map { " (did you mean '\($0)'?)" } ?? ""
      return "unknown field '\(path)'\(hint)"
    case .unsupportedSection(let path):
      return "unknown field '\(path)': the \(path) section is not supported yet in this version"
    case .wrongType(let path, let expected, let found):
      return "\(Self.display(path)): expected \(expected), found \(found)"
    case .outOfRange(let path, let value, let allowed):
      return "\(Self.display(path)): \(value) is out of range (allowed: \(allowed))"
    case .invalidValue(let path, let value, let allowed):
      return "\(Self.display(path)): '\(value)' is not valid (allowed: \(allowed))"
    case .missingField(let path):
      return "\(Self.display(path)): required field is missing"
    case .invalidCombination(let path, let reason):
      return "\(Self.display(path)): \(reason)"
    case .unreadableFile(let path, let reason):
      return "cannot read '\(path)': \(reason)"
    case .fileTooLarge(let path, let bytesMax):
      return "'\(path)' is larger than the \(bytesMax)-byte limit for configuration files"
    case .invalidJSON(let file, let reason):
      return "\(file): invalid JSON: \(reason)"
    case .extendsCycle(let names):
      return "extends cycle: \(names.joined(separator: " -> "))"
    case .extendsTooDeep(let names, let depthMax):
      return
        "extends chain deeper than \(depthMax): \(names.joined(separator: " -> "))"
    case .unknownTemplate(let name, let available):
      return "unknown template '\(name)' (built-in templates: "
        + "\(available.joined(separator: ", "))); a path must contain '/' or end in '.json'"
    case .invalidOverride(let override, let reason):
      return "invalid override '\(override)': \(reason)"
    }
  }

  /// The path of the whole document is empty; it reads better as words.
  private static func display(_ path: String) -> String {
    path.isEmpty ? "(top level)" : path
  }
}
