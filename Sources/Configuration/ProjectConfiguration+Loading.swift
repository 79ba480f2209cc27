import Foundation

extension ProjectConfiguration {
  /// Reads the configuration file at `path`, resolves its `extends`, applies `overrides` and
  /// validates the result.
  ///
  /// Relative paths in the file (`extends`, `data.path`, `training.checkpoint`) are relative to
  /// the file's directory; relative paths in `overrides` stay relative to the working directory.
  public static func load(
    path: String, overrides: [ConfigurationOverride] = []
  ) throws(ConfigurationError) -> ProjectConfiguration {
    let document = try DocumentLoader.load(path: path)
    return try ProjectConfiguration(validating: document.applying(overrides))
  }

  /// Reads a configuration from JSON text, as `load(path:overrides:)` reads a file in
  /// `baseDirectory` (`.` leaves relative paths relative to the working directory).
  public static func parse(
    json: String, baseDirectory: String = ".", overrides: [ConfigurationOverride] = []
  ) throws(ConfigurationError) -> ProjectConfiguration {
    guard json.utf8.count <= fileBytesMax else {
      throw .fileTooLarge(path: DocumentLoader.Origin.inlineDisplayName, bytesMax: fileBytesMax)
    }
    let document = try DocumentLoader.resolve(
      text: json, origin: .inline(baseDirectory: baseDirectory), chain: [])
    return try ProjectConfiguration(validating: document.applying(overrides))
  }
}
