import Foundation
import Platform

/// Turns configuration text into one document without `extends`: parses it, makes the relative
/// file paths it holds relative to the working directory, and merges it over the document it
/// extends, recursively.
///
/// Merging is field by field: objects merge key by key, and any other value (string, number,
/// array, `null`) replaces the parent's. One exception: an object whose `kind` differs from the
/// parent's replaces it whole, because the parent's other fields belong to the other kind (an
/// `adam` optimizer must not inherit `momentum` from an `sgd` one).
enum DocumentLoader {
  /// Where a document comes from.
  enum Origin: Equatable {
    case file(path: String)
    case template(name: String)
    case inline(baseDirectory: String)

    /// How errors name a document given as text rather than as a file.
    static let inlineDisplayName = "(inline JSON)"

    /// The name shown in errors.
    var displayName: String {
      switch self {
      case .file(let path): return path
      case .template(let name): return name
      case .inline: return Self.inlineDisplayName
      }
    }

    /// Equal for two origins that are the same document: a file is known by its absolute,
    /// normalised path (symbolic links are not followed; `extendsDepthMax` stops a cycle
    /// through them).
    var identity: String {
      switch self {
      case .file(let path):
        return "file:" + FilePath.join(FileManager.default.currentDirectoryPath, path)
      case .template(let name): return "template:" + name
      case .inline: return "inline"
      }
    }

    /// The directory against which relative paths in the document are resolved.
    var baseDirectory: String {
      switch self {
      case .file(let path): return FilePath.directory(of: path)
      case .template: return "."
      case .inline(let baseDirectory): return baseDirectory
      }
    }
  }

  /// Reads, parses and resolves the file at `path`.
  static func load(path: String) throws(ConfigurationError) -> JSONValue {
    try resolve(text: readFile(path), origin: .file(path: path), chain: [])
  }

  /// Parses `text` (from `origin`) and resolves its `extends`; `chain` lists the documents that
  /// extend it, outermost first.
  static func resolve(
    text: String, origin: Origin, chain: [Origin]
  ) throws(ConfigurationError) -> JSONValue {
    let document: JSONValue
    do {
      document = try JSONParser.parse(text)
    } catch {
      throw .invalidJSON(file: origin.displayName, reason: error.reason)
    }
    return try resolve(document: document, origin: origin, chain: chain)
  }

  /// Resolves the `extends` of a parsed document.
  static func resolve(
    document: JSONValue, origin: Origin, chain: [Origin]
  ) throws(ConfigurationError) -> JSONValue {
    guard case .object(var members) = document else {
      throw .wrongType(path: "", expected: "object", found: document.summary)
    }
    members = resolvingFilePaths(in: members, against: origin.baseDirectory)
    let chain = chain + [origin]
    switch members.removeValue(forKey: "extends") {
    case nil, .null?:
      return .object(members)
    case .string(let name)?:
      let parentOrigin = try Self.origin(ofExtends: name, from: origin)
      let names = chain.map(\.displayName) + [parentOrigin.displayName]
      guard !chain.contains(where: { $0.identity == parentOrigin.identity }) else {
        throw .extendsCycle(names)
      }
      guard chain.count <= ProjectConfiguration.extendsDepthMax else {
        throw .extendsTooDeep(names, depthMax: ProjectConfiguration.extendsDepthMax)
      }
      let parent = try resolve(text: text(of: parentOrigin), origin: parentOrigin, chain: chain)
      return merge(.object(members), over: parent)
    case let other?:
      throw .wrongType(path: "extends", expected: "string", found: other.summary)
    }
  }

  /// `child` merged over `parent` (see the type's documentation).
  static func merge(_ child: JSONValue, over parent: JSONValue) -> JSONValue {
    guard case .object(let childMembers) = child, case .object(let parentMembers) = parent else {
      return child
    }
    if let childKind = childMembers["kind"], let parentKind = parentMembers["kind"],
      childKind != parentKind
    {
      return child
    }
    var merged = parentMembers
    for (key, value) in childMembers {
      merged[key] = parentMembers[key].map { merge(value, over: $0) } ?? value
    }
    return .object(merged)
  }

  /// A built-in template by name, or a file when the name contains `/` or ends in `.json`.
  private static func origin(
    ofExtends name: String, from origin: Origin
  ) throws(ConfigurationError) -> Origin {
    if BuiltInTemplates.sources[name] != nil { return .template(name: name) }
    guard name.contains("/") || name.hasSuffix(".json") else {
      throw .unknownTemplate(name: name, available: ProjectConfiguration.templateNames)
    }
    return .file(path: FilePath.join(origin.baseDirectory, name))
  }

  private static func text(of origin: Origin) throws(ConfigurationError) -> String {
    switch origin {
    case .file(let path): return try readFile(path)
    case .template(let name): return BuiltInTemplates.sources[name]!
    case .inline: preconditionFailure("an inline document is never extended")
    }
  }

  /// Makes each relative path in a section's `filePathFields` relative to the working directory
  /// instead of to the file's directory.
  private static func resolvingFilePaths(
    in members: [String: JSONValue], against directory: String
  ) -> [String: JSONValue] {
    var members = members
    for type in ProjectConfiguration.sectionTypes where !type.filePathFields.isEmpty {
      guard case .object(var section)? = members[type.key] else { continue }
      for field in type.filePathFields {
        if case .string(let path)? = section[field], !path.isEmpty {
          section[field] = .string(FilePath.join(directory, path))
        }
      }
      members[type.key] = .object(section)
    }
    return members
  }

  /// The UTF-8 text of the file at `path`, read only up to `fileBytesMax` bytes.
  static func readFile(_ path: String) throws(ConfigurationError) -> String {
    let bytesMax = ProjectConfiguration.fileBytesMax
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.contents(of: path, bytesMax: bytesMax)
    } catch .tooLarge {
      throw .fileTooLarge(path: path, bytesMax: bytesMax)
    } catch {
      throw .unreadableFile(path: path, reason: error.reason)
    }
    guard var text = String(validating: bytes, as: UTF8.self) else {
      throw .invalidJSON(file: path, reason: "the file is not UTF-8 text")
    }
    if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
    return text
  }
}
