/// One field set from outside the file, such as the command line: `training.batchSize=128`.
///
/// The value is text, interpreted by the field it lands on: a string field takes it as written
/// (a quoted JSON string is unquoted), any other field parses it as JSON (`128`, `true`, `0.5`,
/// `{"kind": "adam"}`) and reports a type error when it is not. The text `null` resets the field
/// to its default. The result is validated like a file.
public struct ConfigurationOverride: Sendable, Equatable, CustomStringConvertible {
  /// Dotted path of the field: `training.optimizer.learningRate`.
  public var path: String
  public var value: String

  /// The most components an override path may have.
  public static let pathComponentsMax = 8

  public init(path: String, value: String) {
    self.path = path
    self.value = value
  }

  /// Reads `path=value` (the value may itself contain `=`).
  public init(assignment: String) throws(ConfigurationError) {
    guard let equals = assignment.firstIndex(of: "=") else {
      throw .invalidOverride(assignment, reason: "expected path=value")
    }
    self.init(
      path: String(assignment[..<equals]),
      value: String(assignment[assignment.index(after: equals)...]))
  }

  public var description: String { "\(path)=\(value)" }

  /// The path split into its components, checked.
  func components() throws(ConfigurationError) -> [String] {
    let components = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !path.isEmpty, components.allSatisfy({ !$0.isEmpty }) else {
      throw .invalidOverride(description, reason: "the path has an empty component")
    }
    guard components.count <= Self.pathComponentsMax else {
      throw .invalidOverride(
        description, reason: "the path has more than \(Self.pathComponentsMax) components")
    }
    guard components[0] != "extends" else {
      throw .invalidOverride(
        description, reason: "extends is resolved when the file is read and cannot be overridden")
    }
    guard value.utf8.count <= ProjectConfiguration.stringBytesMax else {
      throw .invalidOverride(
        description,
        reason: "the value is longer than \(ProjectConfiguration.stringBytesMax) bytes")
    }
    return components
  }
}

extension ProjectConfiguration {
  /// This configuration with `overrides` applied in order, validated as a whole.
  ///
  /// Overrides apply to the fields as the files gave them, before defaults: a default that
  /// depends on another field follows it (`training.checkpoint` on `project.name`, the learning
  /// rate on the optimizer kind).
  public func applying(
    _ overrides: [ConfigurationOverride]
  ) throws(ConfigurationError) -> ProjectConfiguration {
    try ProjectConfiguration(validating: document.applying(overrides))
  }
}

extension JSONValue {
  /// The document with each override's text stored at its path, objects created as needed.
  func applying(_ overrides: [ConfigurationOverride]) throws(ConfigurationError) -> JSONValue {
    var document = self
    for override in overrides {
      document = try document.setting(
        .commandLine(override.value), at: override.components()[...], path: "")
    }
    return document
  }

  private func setting(
    _ value: JSONValue, at components: ArraySlice<String>, path: String
  ) throws(ConfigurationError) -> JSONValue {
    guard let key = components.first else { return value }
    var members: [String: JSONValue]
    switch self {
    case .null: members = [:]
    case .object(let existing): members = existing
    case .commandLine(let text):
      // An object given whole by an earlier override, now set field by field.
      guard case .object(let parsed)? = try? JSONParser.parse(text) else { fallthrough }
      members = parsed
    default:
      throw .wrongType(path: path, expected: "object", found: summary)
    }
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    members[key] = try (members[key] ?? .null).setting(
      value, at: components.dropFirst(), path: childPath)
    return .object(members)
  }
}
