import Testing

@testable import Configuration

@Suite struct ProjectMetadataTests {
  @Test func nameDefaultAndNoDescription() throws {
    let project = try ProjectConfiguration.parse(json: "{}").project
    #expect(project.name == "starling-project")
    #expect(project.description == nil)
  }

  @Test func readsNameAndDescription() throws {
    let project = try ProjectConfiguration.parse(
      json: #"{"project": {"name": "fmnist_demo.v2", "description": "a demo"}}"#
    ).project
    #expect(project.name == "fmnist_demo.v2")
    #expect(project.description == "a demo")
  }

  @Test(arguments: ["../escape", ".hidden", "with space", "slash/name", "naïve"])
  func namesThatAreUnsafeInAFileNameAreRejected(name: String) {
    #expect(
      throws: ConfigurationError.invalidValue(
        path: "project.name", value: name,
        allowed: "letters, digits, '.', '_' and '-', not starting with '.'")
    ) { try mlp(["project.name": name]) }
  }

  @Test func nameLengthLimit() throws {
    let longest = String(repeating: "n", count: 64)
    #expect(try mlp(["project.name": longest]).project.name == longest)
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "project.name", value: "a string of 65 bytes", allowed: "1 to 64 bytes")
    ) { try mlp(["project.name": longest + "n"]) }
  }

  @Test func descriptionLengthLimit() throws {
    let longest = String(repeating: "d", count: 4096)
    #expect(try mlp(["project.description": longest]).project.description == longest)
    #expect(
      throws: ConfigurationError.outOfRange(
        path: "project.description", value: "a string of 4097 bytes", allowed: "1 to 4096 bytes")
    ) { try ProjectConfiguration.parse(json: #"{"project": {"description": "\#(longest)d"}}"#) }
  }

  @Test func numericNameFromTheCommandLineIsTakenAsText() throws {
    #expect(try mlp(["project.name": "2024"]).project.name == "2024")
  }
}
