import Foundation
import Testing

@testable import Configuration

@Suite struct ProjectConfigurationLoadingTests {
  @Test func loadReadsAFileAndAppliesOverrides() throws {
    try withTemporaryDirectory { directory in
      let path = try write(
        #"{"extends": "fmnist-cnn", "project": {"name": "demo"}}"#, to: "demo.json",
        in: directory)
      let configuration = try ProjectConfiguration.load(
        path: path, overrides: overrides(["training.epochs": "1"]))
      #expect(configuration.project.name == "demo")
      #expect(configuration.model.architecture == .cnnSmall)
      #expect(configuration.training.epochs == 1)
    }
  }

  @Test func missingFileIsUnreadable() {
    #expect(
      throws: ConfigurationError.unreadableFile(
        path: "/nonexistent/starling.json", reason: "no such file")
    ) { try ProjectConfiguration.load(path: "/nonexistent/starling.json") }
  }

  @Test func parseResolvesRelativePathsAgainstTheBaseDirectory() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"data": {"source": "idx-directory", "path": "mnist"}}"#,
      baseDirectory: "/srv/data")
    #expect(configuration.data.path == "/srv/data/mnist")
  }

  @Test func parseWithTheDefaultBaseDirectoryLeavesRelativePathsRelative() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"data": {"source": "idx-directory", "path": "./mnist"}}"#)
    #expect(configuration.data.path == "mnist")
  }

  @Test func parseRejectsTextLargerThanTheFileLimit() {
    let text = "{}" + String(repeating: " ", count: ProjectConfiguration.fileBytesMax - 1)
    #expect(
      throws: ConfigurationError.fileTooLarge(
        path: "(inline JSON)", bytesMax: ProjectConfiguration.fileBytesMax)
    ) { try ProjectConfiguration.parse(json: text) }
  }

  @Test func parseNamesInlineTextInJSONErrors() {
    #expect(
      throws: ConfigurationError.invalidJSON(
        file: "(inline JSON)", reason: "line 1, column 1: unexpected end of input, expected a value"
      )
    ) { try ProjectConfiguration.parse(json: "") }
  }
}
