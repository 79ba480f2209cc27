import Foundation
import Testing

@testable import Configuration

/// A fresh directory under the system temporary directory, removed after `body`.
@discardableResult
func withTemporaryDirectory<Result>(
  _ body: (String) throws -> Result
) throws -> Result {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("starling-configuration-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: directory) }
  return try body(directory)
}

/// Writes `text` to `name` inside `directory` (creating subdirectories) and returns its path.
@discardableResult
func write(_ text: String, to name: String, in directory: String) throws -> String {
  let path = directory + "/" + name
  try FileManager.default.createDirectory(
    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
  try text.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// Shorthand for a list of overrides.
func overrides(_ pairs: KeyValuePairs<String, String>) -> [ConfigurationOverride] {
  pairs.map { ConfigurationOverride(path: $0.key, value: $0.value) }
}

/// The `fmnist-mlp` template with `changes` applied: a valid image configuration to vary.
func mlp(_ changes: KeyValuePairs<String, String> = [:]) throws -> ProjectConfiguration {
  try ProjectConfiguration.template(named: "fmnist-mlp", overrides: overrides(changes))
}

/// Overrides that turn the `fmnist-mlp` template into a valid transformer configuration.
let transformerSetup: KeyValuePairs<String, String> = [
  "model.architecture": "tiny-transformer", "data.source": "text", "data.path": "corpus.txt",
]

/// Overrides that give the `fmnist-mlp` template an Adam optimizer (the whole object replaced, so
/// the template's SGD momentum goes).
let adamSetup: KeyValuePairs<String, String> = ["training.optimizer": #"{"kind": "adam"}"#]

/// One end of the allowed range of a numeric field: the value at the limit is accepted and read
/// back, the value just past it is rejected as `outOfRange`.
struct RangeLimit: Sendable, CustomTestStringConvertible {
  var path: String
  var limit: String
  var pastLimit: String
  var allowed: String
  /// Overrides that make the field apply (an Adam optimizer for `beta1`).
  var setup: [ConfigurationOverride] = []
  var read: @Sendable (ProjectConfiguration) -> Double

  var testDescription: String { "\(path): \(limit) accepted, \(pastLimit) rejected" }

  /// Checks both sides of the limit on the `fmnist-mlp` template.
  func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
    let base = try ProjectConfiguration.template(named: "fmnist-mlp", overrides: setup)
    let accepted = try base.applying([ConfigurationOverride(path: path, value: limit)])
    #expect(read(accepted) == Double(limit)!, sourceLocation: sourceLocation)
    #expect(
      throws: ConfigurationError.outOfRange(path: path, value: pastLimit, allowed: allowed),
      sourceLocation: sourceLocation
    ) {
      try base.applying([ConfigurationOverride(path: path, value: pastLimit)])
    }
  }
}
