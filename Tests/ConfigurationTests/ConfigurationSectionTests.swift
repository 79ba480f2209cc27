import Testing

@testable import Configuration

@Suite struct ConfigurationSectionTests {
  @Test func sectionsAreReadInDependencyOrder() {
    // data checks against model, training's checkpoint default reads project.
    #expect(
      ProjectConfiguration.sectionTypes.map { $0.key }
        == [
          "project", "model", "data", "training", "topology", "security", "experiment", "network",
        ])
  }

  @Test func filePathFieldsAreTheDataPathAndTheCheckpoint() {
    let fields = ProjectConfiguration.sectionTypes.flatMap { type in
      type.filePathFields.map { "\(type.key).\($0)" }
    }
    #expect(fields == ["data.path", "training.checkpoint"])
  }

  @Test func isEqualComparesSectionsOfTheSameTypeOnly() throws {
    let configuration = try mlp()
    let model: any ConfigurationSection = configuration.model
    #expect(model.isEqual(to: configuration.model))
    #expect(!model.isEqual(to: configuration.project))
    #expect(!model.isEqual(to: try mlp(["model.seed": "1"]).model))
  }
}
