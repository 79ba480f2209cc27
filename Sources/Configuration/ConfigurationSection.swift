/// One top-level section of the configuration file (`model`, `training`, ...).
///
/// Adding a section to Starling is one new file, which defines the section type and its accessor
/// on `ProjectConfiguration`, plus one line in `ProjectConfiguration.sectionTypes`.
protocol ConfigurationSection: Sendable, Equatable {
  /// The key of the section at the top level of the file.
  static var key: String { get }

  /// Keys of the section that hold file paths. A relative path written in a file is resolved
  /// against the directory of that file while the file is loaded.
  static var filePathFields: [String] { get }

  /// Reads and validates the section.
  ///
  /// - Parameters:
  ///   - value: the section's object, `nil` when the file has no such section.
  ///   - earlier: the configuration so far, holding every section listed before this one in
  ///     `ProjectConfiguration.sectionTypes`, for checks across sections.
  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError)

  /// The section with every field resolved, in the form the file uses. Fields that do not apply
  /// (momentum for Adam) are left out, so the output reads back as the same section.
  var jsonValue: JSONValue { get }
}

extension ConfigurationSection {
  static var filePathFields: [String] { [] }

  /// Equality across existentials: false when `other` is another section type.
  func isEqual(to other: any ConfigurationSection) -> Bool {
    guard let other = other as? Self else { return false }
    return self == other
  }
}
