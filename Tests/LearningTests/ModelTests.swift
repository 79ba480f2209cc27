import Learning
import Tensors
import Testing

struct ModelTests {
  @Test(arguments: [1, 3])
  func modelsProduceLogitsOfTheRightShape(batch: Int) {
    let tape = Tape(mode: .inference)
    let image = tape.constant(Tensor(zeros: [batch, 28, 28, 1]))
    let mlp = ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 0)
    let cnn = ModelArchitecture.cnnSmall.makeModel(seed: 0)
    let mlpShape = mlp.callAsFunction(image).shape
    let cnnShape = cnn.callAsFunction(image).shape
    #expect(mlpShape == [batch, 10])
    #expect(cnnShape == [batch, 10])
    let settings = TransformerSettings(
      vocabularySize: 11, contextLength: 8, embeddingSize: 16, heads: 2, layers: 2)
    let tokens = tape.constant(Tensor(shape: [batch, 5], repeating: 3))
    let transformer = ModelArchitecture.tinyTransformer(settings).makeModel(seed: 0)
    let transformerShape = transformer.callAsFunction(tokens).shape
    #expect(transformerShape == [batch * 5, 11])
  }

  @Test func parameterCountsMatchThePyTorchModels() {
    // torch: sum(p.numel() for p in model.parameters()) for the reference script's models.
    #expect(
      ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 0).parameterCount == 235_146)
    #expect(ModelArchitecture.cnnSmall.makeModel(seed: 0).parameterCount == 225_034)
  }

  @Test func parameterNamesFollowPyTorchSequentialNaming() {
    let names = ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 0).namedParameters
      .map(\.name)
    #expect(names == ["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"])
  }

  @Test func sameSeedGivesTheSameBitsAndAnotherSeedDoesNot() {
    let first = ModelArchitecture.cnnSmall.makeModel(seed: 42).flattenedParameters()
    let again = ModelArchitecture.cnnSmall.makeModel(seed: 42).flattenedParameters()
    let other = ModelArchitecture.cnnSmall.makeModel(seed: 43).flattenedParameters()
    #expect(first.map(\.bitPattern) == again.map(\.bitPattern))
    #expect(first != other)
  }

  @Test func initialisationIsUniformWithinTheFanInBound() {
    let model = ModelArchitecture.mlp(inputs: 784, classes: 10).makeModel(seed: 1)
    let weight = model.namedParameters[0].parameter.value
    let bound = 1 / Float(784).squareRoot()
    #expect(weight.scalars.allSatisfy { abs($0) <= bound })
    #expect(abs(weight.mean()) < bound / 20)
    #expect(weight.scalars.max()! > bound * 0.99)
  }

  @Test func flatParameterVectorRoundTripsInTheDocumentedOrder() {
    let model = ModelArchitecture.mlp(inputs: 4, classes: 2).makeModel(seed: 3)
    let vector = model.flattenedParameters()
    #expect(vector.count == model.parameterCount)
    // Order: 1.weight (256x4), 1.bias (256), 3.weight ... each row-major.
    #expect(vector[0] == model.namedParameters[0].parameter.value[0, 0])
    #expect(vector[1] == model.namedParameters[0].parameter.value[0, 1])
    #expect(vector[1024] == model.namedParameters[1].parameter.value[0])
    let other = ModelArchitecture.mlp(inputs: 4, classes: 2).makeModel(seed: 4)
    other.assignParameters(from: vector)
    #expect(other.flattenedParameters() == vector)
  }

  @Test func tapeIsFreedAfterUse() {
    weak var released: Tape?
    do {
      let model = ModelArchitecture.mlp(inputs: 4, classes: 2).makeModel(seed: 0)
      let tape = Tape()
      let loss = model(tape.constant(Tensor(zeros: [2, 4]))).softmaxCrossEntropy(labels: [0, 1])
      tape.backward(from: loss)
      released = tape
    }
    #expect(released == nil, "a reference cycle keeps the tape and its tensors alive")
  }

  @Test func batchNormUsesBatchStatisticsInTrainingAndRunningOnesInInference() {
    let layer = BatchNorm2D(channels: 2, momentum: 0.5)
    let input = Tensor(shape: [2, 1, 1, 2], scalars: [1, 10, 3, 30])
    let trained = layer(Tape(mode: .training).constant(input)).value
    // Per channel: mean (2, 20), biased variance (1, 100): normalised to -1, 1.
    #expect(trained.scalars.enumerated().allSatisfy { abs(abs($0.element) - 1) < 1e-3 })
    // Running statistics moved halfway to the batch mean and the unbiased variance (2, 200).
    #expect(layer.runningMean.value.scalars == [1, 10])
    #expect(layer.runningVariance.value.scalars == [1.5, 100.5])
    let inferred = layer(Tape(mode: .inference).constant(input)).value
    #expect(abs(inferred[0, 0, 0, 0] - 0) < 1e-3)
  }

  @Test func batchNormAndLayerNormGradientsMatchFiniteDifferences() {
    let batchNorm = BatchNorm2D(channels: 3)
    expectGradientsMatch([randomTensor([2, 2, 2, 3], seed: 5)]) { batchNorm($0[0]) }
    let layerNorm = LayerNorm(features: 4)
    expectGradientsMatch([randomTensor([3, 4], seed: 6)]) { layerNorm($0[0]) }
  }

  @Test func attentionIsCausal() {
    // Changing a later token must not change the logits of earlier positions.
    let settings = TransformerSettings(
      vocabularySize: 7, contextLength: 6, embeddingSize: 8, heads: 2, layers: 1)
    let model = ModelArchitecture.tinyTransformer(settings).makeModel(seed: 2)
    let tape = Tape(mode: .inference)
    let first = model(tape.constant(Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]))).value
    let second = model(tape.constant(Tensor(shape: [1, 4], scalars: [1, 2, 3, 6]))).value
    #expect(first.slice(alongAxis: 0, 0..<3) == second.slice(alongAxis: 0, 0..<3))
    #expect(first.slice(alongAxis: 0, 3..<4) != second.slice(alongAxis: 0, 3..<4))
  }

  @Test func transformerParameterGradientsMatchFiniteDifferences() {
    let settings = TransformerSettings(
      vocabularySize: 5, contextLength: 4, embeddingSize: 4, heads: 2, layers: 1)
    let model = ModelArchitecture.tinyTransformer(settings).makeModel(seed: 3)
    let tokens = Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 0])
    expectParameterGradientsMatch(model) { tape in
      model(tape.constant(tokens)).softmaxCrossEntropy(labels: [1, 2, 3, 4, 0, 1])
    }
  }

  @Test func cnnParameterGradientsMatchFiniteDifferences() {
    let model = Sequential([
      Conv2D(
        inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, generator: &generatorForTests),
      ReLU(), MaxPool2D(kernelSize: 2), Flatten(),
      Linear(inputs: 12, outputs: 4, generator: &generatorForTests),
    ])
    let images = randomTensor([2, 4, 4, 2], seed: 8)
    expectParameterGradientsMatch(model) { tape in
      model(tape.constant(images)).softmaxCrossEntropy(labels: [1, 3])
    }
  }
}

nonisolated(unsafe) var generatorForTests = SeededGenerator(seed: 77)

/// Back-propagates `loss` into `model`'s parameters and compares each gradient with central
/// finite differences of the loss taken by perturbing the parameter itself.
func expectParameterGradientsMatch(
  _ model: any ParameterContainer, step: Float = 1e-2, tolerance: Float = 3e-2,
  elementsPerParameter: Int = 6, sourceLocation: SourceLocation = #_sourceLocation,
  loss: (Tape) -> Variable
) {
  model.zeroGradients()
  let tape = Tape()
  tape.backward(from: loss(tape))
  var generator = SeededGenerator(seed: 5)
  for (name, parameter) in model.namedParameters {
    let analytic = parameter.gradient ?? Tensor(zeros: parameter.shape)
    var positions = Array(0..<parameter.value.count)
    positions.shuffle(using: &generator)
    for position in positions.prefix(elementsPerParameter) {
      let original = parameter.value
      parameter.value.withUnsafeMutableBufferPointer { $0[position] += step }
      let plus = loss(Tape()).value.scalar
      parameter.value = original
      parameter.value.withUnsafeMutableBufferPointer { $0[position] -= step }
      let minus = loss(Tape()).value.scalar
      parameter.value = original
      let numeric = (plus - minus) / (2 * step)
      let exact = analytic.scalars[position]
      #expect(
        abs(numeric - exact) <= tolerance * max(1, abs(numeric), abs(exact)) + 1e-3,
        "\(name)[\(position)]: tape \(exact), finite difference \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
  model.zeroGradients()
}
