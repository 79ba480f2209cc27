import Learning
import Tensors
import Testing

/// Compares the tape's gradients of `sum(f(inputs) * w)` (random `w`) with central finite
/// differences, element by element (a random sample of at most `elementsMax` per input).
func expectGradientsMatch(
  _ inputs: [Tensor], seed: UInt64 = 1, step: Float = 1e-2, tolerance: Float = 2e-2,
  elementsMax: Int = 40, sourceLocation: SourceLocation = #_sourceLocation,
  _ function: ([Variable]) -> Variable
) {
  var generator = SeededGenerator(seed: seed)
  func makeTape() -> Tape { Tape(mode: .training, generator: SeededGenerator(seed: seed &+ 99)) }

  let probeTape = makeTape()
  let outputShape = function(inputs.map { probeTape.constant($0) }).shape
  let weights = Tensor.randomNormal(shape: outputShape, using: &generator)

  func objective(_ values: [Tensor]) -> Float {
    let tape = makeTape()
    return (function(values.map { tape.constant($0) }) * tape.constant(weights)).value.sum()
  }

  let tape = makeTape()
  let variables = inputs.map { tape.variable($0) }
  let loss = (function(variables) * tape.constant(weights)).sum()
  tape.backward(from: loss)

  for (inputIndex, input) in inputs.enumerated() {
    let analytic = tape.gradient(of: variables[inputIndex]) ?? Tensor(zeros: input.shape)
    #expect(analytic.shape == input.shape, sourceLocation: sourceLocation)
    var positions = Array(0..<input.count)
    positions.shuffle(using: &generator)
    for position in positions.prefix(elementsMax) {
      var plus = inputs
      var minus = inputs
      plus[inputIndex].withUnsafeMutableBufferPointer { $0[position] += step }
      minus[inputIndex].withUnsafeMutableBufferPointer { $0[position] -= step }
      let numeric = (objective(plus) - objective(minus)) / (2 * step)
      let exact = analytic.scalars[position]
      let scale = max(1, abs(numeric), abs(exact))
      #expect(
        abs(numeric - exact) <= tolerance * scale,
        "input \(inputIndex) element \(position): tape \(exact), finite difference \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
}

/// A seeded normal tensor.
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1, offset: Float = 0) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  return Tensor.randomNormal(
    shape: shape, mean: offset, standardDeviation: scale, using: &generator)
}

/// A tensor of distinct values spaced at least `gap` apart, in random order (no ties, no kinks
/// within a finite-difference step: for max pooling and ReLU).
func distinctTensor(_ shape: [Int], seed: UInt64, gap: Float = 0.1) -> Tensor {
  var generator = SeededGenerator(seed: seed)
  let count = Tensor.elementCount(shape)
  var values = (0..<count).map { (Float($0) - Float(count / 2) + 0.25) * gap }
  values.shuffle(using: &generator)
  return Tensor(shape: shape, scalars: values)
}
