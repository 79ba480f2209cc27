import Learning
import Tensors
import Testing

struct TrainerTests {
  func makeBatch(seed: UInt64, count: Int) -> (Tensor, [Int32]) {
    var generator = SeededGenerator(seed: seed)
    let inputs = Tensor.randomNormal(shape: [count, 6], using: &generator)
    return (inputs, (0..<count).map { Int32($0 % 3) })
  }

  @Test func accumulatingMicroBatchesEqualsOneLargeBatch() {
    let (inputs, labels) = makeBatch(seed: 1, count: 8)
    let whole = ModelArchitecture.mlp(inputs: 6, classes: 3).makeModel(seed: 2)
    let accumulated = ModelArchitecture.mlp(inputs: 6, classes: 3).makeModel(seed: 2)
    let single = Trainer(model: whole, optimizer: SGD(momentum: 0.9), learningRate: 0.1)
    let micro = Trainer(
      model: accumulated, optimizer: SGD(momentum: 0.9), learningRate: 0.1, accumulationSteps: 4)
    for _ in 0..<3 {
      single.train(inputs: inputs, labels: labels)
      for part in 0..<4 {
        micro.train(
          inputs: inputs.slice(alongAxis: 0, (2 * part)..<(2 * part + 2)),
          labels: Array(labels[(2 * part)..<(2 * part + 2)]))
      }
    }
    #expect(single.step == 3 && micro.step == 3)
    let difference = zip(whole.flattenedParameters(), accumulated.flattenedParameters()).map {
      abs($0 - $1)
    }.max()!
    #expect(difference < 1e-5)
  }

  @Test func clippingBoundsTheUpdate() {
    let (inputs, labels) = makeBatch(seed: 3, count: 4)
    let model = ModelArchitecture.mlp(inputs: 6, classes: 3).makeModel(seed: 4)
    let before = model.flattenedParameters()
    let trainer = Trainer(model: model, optimizer: SGD(), learningRate: 1, gradientClipNorm: 0.01)
    trainer.train(inputs: inputs, labels: labels)
    let moved = zip(before, model.flattenedParameters()).map { Double($0 - $1) * Double($0 - $1) }
      .reduce(0, +).squareRoot()
    #expect(moved <= 0.0101)
    #expect(moved > 0.005)
  }

  @Test func trainingReducesTheLossOnLearnableData() {
    var generator = SeededGenerator(seed: 5)
    let inputs = Tensor.randomNormal(shape: [64, 6], using: &generator)
    let labels = (0..<64).map { row in Int32(inputs[row, 0] > 0 ? 1 : 0) }
    let trainer = Trainer(
      model: ModelArchitecture.mlp(inputs: 6, classes: 2).makeModel(seed: 6), optimizer: Adam(),
      learningRate: 0.01)
    let first = trainer.train(inputs: inputs, labels: labels)
    var last = first
    for _ in 0..<100 { last = trainer.train(inputs: inputs, labels: labels) }
    #expect(last < first / 5)
    #expect(trainer.evaluate(inputs: inputs, labels: labels).correct >= 62)
  }
}
