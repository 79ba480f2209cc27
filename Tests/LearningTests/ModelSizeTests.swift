import Learning
import Testing

@Suite struct ModelSizeTests {
  @Test(arguments: [
    ModelArchitecture.mlp(inputs: 784, classes: 10), .mlp(inputs: 12, classes: 3), .cnnSmall,
    .scatternetLinear(featureShape: [7, 7, 81], classes: 10),
    .tinyTransformer(
      TransformerSettings(vocabularySize: 30, contextLength: 16, embeddingSize: 32, heads: 4)),
    .tinyTransformer(
      TransformerSettings(
        vocabularySize: 7, contextLength: 5, embeddingSize: 8, heads: 2, layers: 3)),
  ])
  func parameterCountMatchesTheBuiltModel(architecture: ModelArchitecture) {
    #expect(architecture.parameterCount == architecture.makeModel(seed: 1).parameterCount)
  }

  @Test func hugeModelsSaturateInsteadOfOverflowing() {
    let huge = ModelArchitecture.tinyTransformer(
      TransformerSettings(
        vocabularySize: 1 << 20, contextLength: 1 << 20, embeddingSize: 1 << 20, heads: 1,
        layers: 1 << 20))
    #expect(huge.parameterCount == Int.max)
    #expect(huge.activationFloatsPerSample == Int.max)
    #expect(ModelArchitecture.mlp(inputs: 8192 * 8192, classes: 10).parameterCount > 1 << 34)
  }
}
