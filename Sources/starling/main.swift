import Foundation
import Learning
import Tensors

// Temporary throughput probe; replaced by the CLI.
let arguments = CommandLine.arguments
let modelName = arguments.count > 1 ? arguments[1] : "mlp"
let threads = arguments.count > 2 ? Int(arguments[2])! : 1
let steps = arguments.count > 3 ? Int(arguments[3])! : 300
Parallel.configure(threads: threads)
let architecture: ModelArchitecture =
  modelName == "mlp" ? .mlp(inputs: 784, classes: 10) : .cnnSmall
let model = architecture.makeModel(seed: 1)
let optimizer = SGD(momentum: 0.9)
var generator = SeededGenerator(seed: 2)
let inputs = Tensor.randomNormal(shape: [64, 28, 28, 1], using: &generator)
let labels = (0..<64).map { Int32($0 % 10) }
@MainActor func step() {
  do {
    let tape = Tape()
    let loss = model(tape.constant(inputs)).softmaxCrossEntropy(labels: labels)
    tape.backward(from: loss)
  }
  optimizer.step(model.parameters, learningRate: 0.01)
  model.zeroGradients()
}
for _ in 0..<20 { step() }
let start = DispatchTime.now().uptimeNanoseconds
for _ in 0..<steps { step() }
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("\(modelName) threads \(threads): \(Int(Double(steps * 64) / seconds)) samples/s")
