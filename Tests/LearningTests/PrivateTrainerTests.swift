import Learning
import Tensors
import Testing

private func makeModel(seed: UInt64) -> any Layer {
  var generator = SeededGenerator(seed: seed)
  return Sequential([Linear(inputs: 6, outputs: 3, generator: &generator)])
}

private func batch(seed: UInt64, count: Int) -> (Tensor, [Int32]) {
  var generator = SeededGenerator(seed: seed)
  return (
    Tensor.randomNormal(shape: [count, 6], using: &generator), (0..<count).map { Int32($0 % 3) }
  )
}

@Test("Without noise, a DP-SGD step is an SGD step on the clipped mean gradient")
func noiselessStepIsClippedSGD() {
  let (inputs, labels) = batch(seed: 1, count: 8)
  let model = makeModel(seed: 2)
  let before = model.flattenedParameters()
  let trainer = PrivateTrainer(
    model: model, optimizer: SGD(), learningRate: 0.5, clipNorm: 0.3, noiseMultiplier: 0)
  trainer.accumulate(inputs: inputs, labels: labels)
  let clippedSum = model.flattenedGradients()
  let report = trainer.applyNoisyUpdate(expectedBatchSize: 8)
  #expect(report.exampleCount == 8 && trainer.step == 1)
  let expected = zip(before, clippedSum).map { $0 - 0.5 * $1 / 8 }
  #expect(zip(model.flattenedParameters(), expected).allSatisfy { abs($0 - $1) < 1e-6 })
}

@Test("The noise on each coordinate has standard deviation σ C / expected batch size")
func noiseHasTheDocumentedScale() {
  var generator = SeededGenerator(seed: 3)
  let model = Sequential([Linear(inputs: 200, outputs: 50, generator: &generator)])
  let before = model.flattenedParameters()
  let trainer = PrivateTrainer(
    model: model, optimizer: SGD(), learningRate: 1, clipNorm: 2, noiseMultiplier: 1.5, seed: 4)
  trainer.applyNoisyUpdate(expectedBatchSize: 10)  // an empty Poisson batch: noise only
  let moves = zip(before, model.flattenedParameters()).map { Double($1 - $0) }
  let mean = moves.reduce(0, +) / Double(moves.count)
  let deviation =
    (moves.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(moves.count)).squareRoot()
  #expect(abs(mean) < 0.01)
  #expect(abs(deviation - 1.5 * 2 / 10) < 0.01)
}

@Test("Two trainers with the same seed take the same noisy steps")
func deterministicGivenSeed() {
  let (inputs, labels) = batch(seed: 5, count: 6)
  var results: [[Float]] = []
  for _ in 0..<2 {
    let model = makeModel(seed: 6)
    let trainer = PrivateTrainer(
      model: model, optimizer: SGD(momentum: 0.9), learningRate: 0.1, clipNorm: 1,
      noiseMultiplier: 1, seed: 7)
    for _ in 0..<3 {
      trainer.accumulate(inputs: inputs, labels: labels)
      trainer.applyNoisyUpdate(expectedBatchSize: 6)
    }
    results.append(model.flattenedParameters())
  }
  #expect(results[0] == results[1])
}
