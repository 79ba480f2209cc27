import Foundation

/// A training project, read from one JSON file (ARCHITECTURE.md section 4): every field typed,
/// validated and resolved to a value, defaults included.
///
/// A value can only be made by reading a file, a string or a template, so every value is valid.
/// Read the sections through `project`, `model`, `data` and `training`; change fields with
/// `applying(_:)`, which validates the result as a whole.
public struct ProjectConfiguration: Sendable {
  /// The largest configuration file read, in bytes.
  public static let fileBytesMax = 1 << 20
  /// The longest chain of `extends` followed (a file extending a template counts 1).
  public static let extendsDepthMax = 8
  /// The longest string accepted in any field, in UTF-8 bytes.
  public static let stringBytesMax = 4096

  /// The sections this version reads, in the order they are read: a section may check its fields
  /// against the sections before it (data against model, training against project).
  static let sectionTypes: [any ConfigurationSection.Type] = [
    ProjectMetadata.self,
    ModelConfiguration.self,
    DataConfiguration.self,
    TrainingConfiguration.self,
    TopologyConfiguration.self,
    SecurityConfiguration.self,
    ExperimentConfiguration.self,
    NetworkConfiguration.self,
  ]

  /// Sections that later versions read; until then a file that has one is rejected with a message
  /// that says so, rather than as a misspelling.
  static let plannedSectionKeys: [String] = []

  /// The sections read so far, by key.
  private var sections: [String: any ConfigurationSection]

  /// The document the sections were read from, after `extends` was resolved and paths were made
  /// relative to the working directory: overrides are applied to it and the result read again,
  /// so defaults that depend on other fields (the checkpoint path on the project name) follow.
  private(set) var document: JSONValue

  /// Reads and validates a document that has no `extends` left.
  init(validating document: JSONValue) throws(ConfigurationError) {
    let keys = Self.sectionTypes.map { $0.key }
    let topLevel = try FieldReader(
      document, path: "", knownFields: keys, plannedFields: Self.plannedSectionKeys)
    self.sections = [:]
    self.document = document
    for type in Self.sectionTypes {
      sections[type.key] = try type.init(reading: topLevel.value(type.key), earlier: self)
    }
  }

  /// The section of type `Section`, which must have been read already.
  func section<Section: ConfigurationSection>(_ type: Section.Type) -> Section {
    guard let section = sections[Section.key] as? Section else {
      preconditionFailure(
        "section '\(Section.key)' read before it was decoded: check the order of sectionTypes")
    }
    return section
  }

  /// The resolved configuration as a JSON object, one member per section.
  var jsonValue: JSONValue {
    .object(sections.mapValues { $0.jsonValue })
  }

  /// The resolved configuration (every default filled in, `extends` and overrides applied) as
  /// pretty-printed JSON with sorted keys, for `starling config show`.
  ///
  /// The output is canonical: equal configurations give identical text, and reading the text back
  /// gives an equal configuration.
  public func resolvedJSON() -> String {
    jsonValue.prettyPrinted() + "\n"
  }
}

extension ProjectConfiguration {
  /// Fields that each machine sets for itself, left out of `identityJSON()`: file paths (a
  /// volunteer's data and checkpoint), worker threads, the listen address and the bootstrap
  /// contacts.
  public static var machineLocalFields: [String] {
    sectionTypes.flatMap { type in type.filePathFields.map { "\(type.key).\($0)" } }
      + ["training.threads"]
      + NetworkConfiguration.machineLocalFields.map { "\(NetworkConfiguration.key).\($0)" }
  }

  /// The canonical text every peer of a project agrees on: the resolved configuration less
  /// `machineLocalFields`, compact, keys sorted. The project ID is its hash.
  public func identityJSON() -> String {
    var sections: [String: JSONValue] = [:]
    for (key, section) in self.sections {
      guard case .object(var members) = section.jsonValue else {
        sections[key] = section.jsonValue
        continue
      }
      for field in Self.machineLocalFields where field.hasPrefix(key + ".") {
        members[String(field.dropFirst(key.count + 1))] = nil
      }
      sections[key] = .object(members)
    }
    return JSONValue.object(sections).prettyPrinted()
  }
}

extension ProjectConfiguration: Equatable {
  /// Equal when every section is equal, however the files that gave them were written.
  public static func == (lhs: ProjectConfiguration, rhs: ProjectConfiguration) -> Bool {
    lhs.sections.count == rhs.sections.count
      && lhs.sections.allSatisfy { key, section in
        rhs.sections[key].map { section.isEqual(to: $0) } ?? false
      }
  }
}
