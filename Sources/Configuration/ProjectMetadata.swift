/// The `project` section: what the project is called.
public struct ProjectMetadata: Sendable, Equatable {
  /// Names the project in logs and in the default checkpoint path; 1 to 64 characters from
  /// `A-Z a-z 0-9 . _ -`, not starting with `.`, so it is safe inside a file name.
  public let name: String
  /// Free text for people.
  public let description: String?

  /// The name of a project whose file does not give one.
  public static let nameDefault = "starling-project"
  /// Allowed length of `name`, in bytes.
  static let nameBytes = 1...64
  static let fieldNames = ["name", "description"]

  /// Whether `name` can stand in a file name on every platform without escaping.
  static func isValidName(_ name: String) -> Bool {
    !name.hasPrefix(".")
      && name.unicodeScalars.allSatisfy { scalar in
        scalar.isASCII
          && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || "._-".unicodeScalars.contains(scalar))
      }
  }
}

extension ProjectMetadata: ConfigurationSection {
  static let key = "project"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    name = try fields.string("name", default: Self.nameDefault, bytes: Self.nameBytes)
    guard Self.isValidName(name) else {
      throw .invalidValue(
        path: fields.path(of: "name"), value: name,
        allowed: "letters, digits, '.', '_' and '-', not starting with '.'")
    }
    description = try fields.optionalString("description")
  }

  var jsonValue: JSONValue {
    var members: [String: JSONValue] = ["name": .string(name)]
    if let description { members["description"] = .string(description) }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `project` section.
  public var project: ProjectMetadata { section(ProjectMetadata.self) }
}
