import Foundation
import Testing

@testable import Configuration

@Suite struct ProjectConfigurationCodableTests {
  @Test(arguments: ["fmnist-mlp", "fmnist-cnn"])
  func encodesAndDecodesThroughFoundationsJSONCoders(template: String) throws {
    let configuration = try ProjectConfiguration.template(named: template)
    let data = try JSONEncoder().encode(configuration)
    #expect(try JSONDecoder().decode(ProjectConfiguration.self, from: data) == configuration)
  }

  @Test func decodingValidates() {
    let data = Data(#"{"training": {"batchSize": 0}}"#.utf8)
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "training.batchSize", value: "0", allowed: "[1, 65536]")
    ) { try JSONDecoder().decode(ProjectConfiguration.self, from: data) }
  }

  @Test func encodingHasTheSameFieldsAsResolvedJSON() throws {
    let configuration = try ProjectConfiguration.template(named: "fmnist-cnn")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let encoded = try JSONSerialization.jsonObject(with: encoder.encode(configuration))
    let resolved = try JSONSerialization.jsonObject(with: Data(configuration.resolvedJSON().utf8))
    #expect((encoded as? NSDictionary) == (resolved as? NSDictionary))
  }
}
