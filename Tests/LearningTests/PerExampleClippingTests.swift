import Learning
import Tensors
import Testing

/// Tanh: `PerExampleClipping` must work for any elementwise activation.
private final class Tanh: StatelessLayer {
  func callAsFunction(_ input: Variable) -> Variable { input.tanh() }
}

/// Applies the same layer twice: its parameters get two gradient contributions per example.
private final class Twice: Layer {
  let inner: Linear
  init(_ inner: Linear) { self.inner = inner }
  var namedParameters: [(name: String, parameter: Parameter)] { inner.namedParameters }
  func callAsFunction(_ input: Variable) -> Variable { inner(inner(input).tanh()) }
}

/// The reference: one ordinary backward pass per example, norms over the flattened gradient,
/// clipped and summed in `Double`.
private func bruteForceClippedSum(
  _ model: any Layer, inputs: Tensor, labels: [Int32], clipNorm: Float
) -> (sum: [Double], norms: [Double]) {
  var sum = [Double](repeating: 0, count: model.parameterCount)
  var norms: [Double] = []
  for example in 0..<labels.count {
    model.zeroGradients()
    let tape = Tape(mode: .training)
    let single = inputs.slice(alongAxis: 0, example..<(example + 1))
    tape.backward(from: model(tape.constant(single)).softmaxCrossEntropy(labels: [labels[example]]))
    let gradient = model.flattenedGradients()
    let norm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    norms.append(norm)
    let scale = norm > Double(clipNorm) ? Double(clipNorm) / (norm + 1e-6) : 1
    for index in sum.indices { sum[index] += Double(gradient[index]) * scale }
  }
  model.zeroGradients()
  return (sum, norms)
}

/// Checks the factored clipped sum against the brute-force loop, with a clipping norm at the
/// median per-example norm so that some examples are clipped and others are not.
private func expectMatchesBruteForce(
  _ model: any Layer, inputs: Tensor, labels: [Int32], expectingMicroBatches: Bool = false
) {
  let norms = bruteForceClippedSum(model, inputs: inputs, labels: labels, clipNorm: 1e9)
    .norms.sorted()
  let middle = labels.count / 2
  let clipNorm = Float((norms[middle - 1] + norms[middle]) / 2)
  let reference = bruteForceClippedSum(model, inputs: inputs, labels: labels, clipNorm: clipNorm)
  let report = PerExampleClipping.accumulateClippedSum(
    model: model, inputs: inputs, labels: labels, clipNorm: clipNorm)
  let computed = model.flattenedGradients()
  let largest = reference.sum.map(abs).max()!
  let difference = zip(computed, reference.sum).map { abs(Double($0) - $1) }.max()!
  #expect(difference <= 1e-4 * max(1, largest), "difference \(difference) of \(largest)")
  let expectedClipped = reference.norms.filter { $0 > Double(clipNorm) }.count
  #expect(report.clippedCount == expectedClipped)
  #expect(report.exampleCount == labels.count)
  #expect(report.usedMicroBatches == expectingMicroBatches)
  model.zeroGradients()
}

private func randomBatch(shape: [Int], classes: Int, seed: UInt64) -> (Tensor, [Int32]) {
  var generator = SeededGenerator(seed: seed)
  let inputs = Tensor.randomNormal(shape: shape, using: &generator)
  return (inputs, (0..<shape[0]).map { Int32(($0 * 7 + 3) % classes) })
}

@Test("Linear layers: ghost norms and the one-GEMM clipped sum match a per-example loop")
func linearModelMatchesBruteForce() {
  var generator = SeededGenerator(seed: 1)
  let model = Sequential([
    Flatten(), Linear(inputs: 12, outputs: 16, generator: &generator), Tanh(),
    Linear(inputs: 16, outputs: 8, generator: &generator), ReLU(),
    Linear(inputs: 8, outputs: 4, generator: &generator),
  ])
  let (inputs, labels) = randomBatch(shape: [10, 3, 4], classes: 4, seed: 2)
  expectMatchesBruteForce(model, inputs: inputs, labels: labels)
}

@Test("Convolutions: per-image im2col gradients match a per-example loop")
func convolutionalModelMatchesBruteForce() {
  var generator = SeededGenerator(seed: 3)
  let model = Sequential([
    Conv2D(
      inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1,
      generator: &generator),
    Tanh(), MaxPool2D(kernelSize: 2),
    Conv2D(inChannels: 4, outChannels: 3, kernelSize: 2, hasBias: false, generator: &generator),
    ReLU(), Flatten(), Linear(inputs: 3, outputs: 5, generator: &generator),
  ])
  let (inputs, labels) = randomBatch(shape: [9, 8, 8, 2], classes: 5, seed: 4)
  expectMatchesBruteForce(model, inputs: inputs, labels: labels)
}

@Test("A linear layer over sequences ([B, T, in]) splits its rows by example")
func sequenceLinearMatchesBruteForce() {
  var generator = SeededGenerator(seed: 5)
  let model = Sequential([
    Linear(inputs: 3, outputs: 4, generator: &generator), Tanh(), Flatten(),
    Linear(inputs: 20, outputs: 3, generator: &generator),
  ])
  let (inputs, labels) = randomBatch(shape: [7, 5, 3], classes: 3, seed: 6)
  expectMatchesBruteForce(model, inputs: inputs, labels: labels)
}

@Test("A layer used twice adds its two contributions before the norm is taken")
func sharedWeightsMatchBruteForce() {
  var generator = SeededGenerator(seed: 7)
  let model = Sequential([Twice(Linear(inputs: 5, outputs: 5, generator: &generator))])
  let (inputs, labels) = randomBatch(shape: [8, 5], classes: 5, seed: 8)
  expectMatchesBruteForce(model, inputs: inputs, labels: labels)
}

@Test("Parameters outside linear and conv2d fall back to one example at a time, exactly")
func layerNormFallsBackToMicroBatches() {
  var generator = SeededGenerator(seed: 9)
  let model = Sequential([
    Linear(inputs: 6, outputs: 8, generator: &generator), LayerNorm(features: 8),
    Linear(inputs: 8, outputs: 3, generator: &generator),
  ])
  let (inputs, labels) = randomBatch(shape: [6, 6], classes: 3, seed: 10)
  expectMatchesBruteForce(model, inputs: inputs, labels: labels, expectingMicroBatches: true)
}

@Test("The clipped sum adds to gradients already accumulated (a step over several chunks)")
func clippedSumsAccumulateAcrossChunks() {
  var generator = SeededGenerator(seed: 11)
  let model = Sequential([Linear(inputs: 4, outputs: 3, generator: &generator)])
  let (inputs, labels) = randomBatch(shape: [8, 4], classes: 3, seed: 12)
  PerExampleClipping.accumulateClippedSum(
    model: model, inputs: inputs, labels: labels, clipNorm: 0.5)
  let whole = model.flattenedGradients()
  model.zeroGradients()
  for part in 0..<2 {
    PerExampleClipping.accumulateClippedSum(
      model: model, inputs: inputs.slice(alongAxis: 0, (4 * part)..<(4 * part + 4)),
      labels: Array(labels[(4 * part)..<(4 * part + 4)]), clipNorm: 0.5)
  }
  let chunked = model.flattenedGradients()
  #expect(zip(whole, chunked).allSatisfy { abs($0 - $1) < 1e-5 })
}

@Test("Every clipped example contributes a gradient of norm at most C")
func eachContributionIsBounded() {
  var generator = SeededGenerator(seed: 13)
  let model = Sequential([Linear(inputs: 10, outputs: 4, generator: &generator)])
  let (inputs, labels) = randomBatch(shape: [1, 10], classes: 4, seed: 14)
  let report = PerExampleClipping.accumulateClippedSum(
    model: model, inputs: inputs * 100, labels: labels, clipNorm: 0.1)
  let norm = model.flattenedGradients().reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
  #expect(report.clippedCount == 1)
  #expect(norm <= 0.1)
}
