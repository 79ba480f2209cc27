import Testing

@testable import Configuration

@Suite struct BuiltInTemplatesTests {
  @Test func templateNamesListsTheThreeTemplatesSorted() {
    #expect(ProjectConfiguration.templateNames == ["fmnist-cnn", "fmnist-mlp", "text-transformer"])
  }

  @Test(arguments: ProjectConfiguration.templateNames)
  func everyTemplateLoads(name: String) throws {
    // text-transformer has no default corpus: its users give the path.
    let needsPath = name == "text-transformer"
    let configuration = try ProjectConfiguration.template(
      named: name, overrides: needsPath ? overrides(["data.path": "corpus.txt"]) : [])
    #expect(configuration.project.name == name)
  }

  @Test func fmnistMLPIsSGDWithMomentumForFiveEpochs() throws {
    let configuration = try ProjectConfiguration.template(named: "fmnist-mlp")
    #expect(configuration.model.architecture == .mlp)
    #expect(configuration.data.source == .fashionMNIST)
    #expect(configuration.data.path == "/usr/share/datasets/fashion-mnist")
    #expect(configuration.training.batchSize == 64)
    #expect(configuration.training.epochs == 5)
    #expect(configuration.training.optimizer.kind == .sgd)
    #expect(configuration.training.optimizer.learningRate == 0.05)
    #expect(configuration.training.optimizer.momentum == 0.9)
  }

  @Test func fmnistCNNIsTheSmallCNNForThreeEpochsWithTheSameOptimizer() throws {
    let cnn = try ProjectConfiguration.template(named: "fmnist-cnn")
    let mlp = try ProjectConfiguration.template(named: "fmnist-mlp")
    #expect(cnn.model.architecture == .cnnSmall)
    #expect(cnn.data == mlp.data)
    #expect(cnn.training.epochs == 3)
    #expect(cnn.training.batchSize == 64)
    #expect(cnn.training.optimizer == mlp.training.optimizer)
  }

  @Test func textTransformerIsAdamOverTextWithContext64() throws {
    let configuration = try ProjectConfiguration.template(
      named: "text-transformer", overrides: overrides(["data.path": "/corpus.txt"]))
    #expect(configuration.model.architecture == .tinyTransformer)
    #expect(configuration.model.contextLength == 64)
    #expect(configuration.data.source == .text)
    #expect(configuration.data.path == "/corpus.txt")
    #expect(configuration.training.batchSize == 32)
    #expect(configuration.training.optimizer.kind == .adam)
    #expect(configuration.training.optimizer.learningRate == 3e-3)
  }

  @Test func textTransformerWithoutAPathReportsTheMissingPath() {
    #expect(throws: ConfigurationError.missingField(path: "data.path")) {
      try ProjectConfiguration.template(named: "text-transformer")
    }
  }

  @Test func unknownTemplateListsTheAvailableOnes() {
    #expect(
      throws: ConfigurationError.unknownTemplate(
        name: "fmnist", available: ["fmnist-cnn", "fmnist-mlp", "text-transformer"])
    ) { try ProjectConfiguration.template(named: "fmnist") }
  }
}
