import Foundation

extension ProjectConfiguration: Codable {
  /// Reads a configuration through any decoder, validated as `parse(json:)` validates text
  /// (an `extends` path is relative to the working directory).
  public init(from decoder: any Decoder) throws {
    let document = try JSONValue(from: decoder)
    let resolved = try DocumentLoader.resolve(
      document: document, origin: .inline(baseDirectory: "."), chain: [])
    try self.init(validating: resolved)
  }

  /// Writes the resolved configuration, the same fields as `resolvedJSON()`.
  public func encode(to encoder: any Encoder) throws {
    try jsonValue.encode(to: encoder)
  }
}
