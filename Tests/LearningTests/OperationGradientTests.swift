import Learning
import Tensors
import Testing

/// Every primitive's backward rule against finite differences.
struct OperationGradientTests {
  static let broadcastPairs: [([Int], [Int])] = [
    ([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 4], [3, 1]), ([5], []),
    ([1, 1], [1, 1]), ([2, 1, 3], [1, 4, 1]),
  ]

  @Test(arguments: broadcastPairs)
  func additionBroadcasts(shapes: ([Int], [Int])) {
    expectGradientsMatch([randomTensor(shapes.0, seed: 1), randomTensor(shapes.1, seed: 2)]) {
      $0[0] + $0[1]
    }
  }

  @Test(arguments: broadcastPairs)
  func subtractionBroadcasts(shapes: ([Int], [Int])) {
    expectGradientsMatch([randomTensor(shapes.0, seed: 3), randomTensor(shapes.1, seed: 4)]) {
      $0[0] - $0[1]
    }
  }

  @Test(arguments: broadcastPairs)
  func multiplicationBroadcasts(shapes: ([Int], [Int])) {
    expectGradientsMatch([randomTensor(shapes.0, seed: 5), randomTensor(shapes.1, seed: 6)]) {
      $0[0] * $0[1]
    }
  }

  @Test(arguments: broadcastPairs)
  func divisionBroadcasts(shapes: ([Int], [Int])) {
    let denominator = randomTensor(shapes.1, seed: 8, scale: 0.3, offset: 2)
    expectGradientsMatch([randomTensor(shapes.0, seed: 7), denominator]) { $0[0] / $0[1] }
  }

  static let shapes: [[Int]] = [[1], [7], [1, 5], [3, 4], [2, 3, 4]]

  @Test(arguments: shapes)
  func affineMap(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 9)]) { $0[0].affine(scale: -1.7, offset: 0.3) }
  }

  @Test(arguments: shapes)
  func exponential(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 10, scale: 0.5)]) { $0[0].exp() }
  }

  @Test(arguments: shapes)
  func logarithm(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 11, scale: 0.2, offset: 2)]) { $0[0].log() }
  }

  @Test(arguments: shapes)
  func squareRoot(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 12, scale: 0.2, offset: 2)]) {
      $0[0].squareRoot()
    }
  }

  @Test(arguments: shapes)
  func hyperbolicTangent(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 13)]) { $0[0].tanh() }
  }

  @Test(arguments: shapes)
  func sigmoid(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 14)]) { $0[0].sigmoid() }
  }

  @Test(arguments: shapes)
  func relu(shape: [Int]) {
    expectGradientsMatch([distinctTensor(shape, seed: 15)], step: 1e-2) { $0[0].relu() }
  }

  @Test(arguments: shapes)
  func geluComposite(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 16)]) { $0[0].gelu() }
  }

  @Test(arguments: [
    ([2, 3, 4], [0]), ([2, 3, 4], [1, 2]), ([2, 3, 4], [-1]), ([5], [0]), ([1, 3], [0]),
  ])
  func sumAlongAxes(arguments: ([Int], [Int])) {
    expectGradientsMatch([randomTensor(arguments.0, seed: 17)]) {
      $0[0].sum(alongAxes: arguments.1)
    }
    expectGradientsMatch([randomTensor(arguments.0, seed: 18)]) {
      $0[0].mean(alongAxes: arguments.1, keepingDimensions: true)
    }
  }

  @Test(arguments: shapes)
  func sumAndMeanOfAll(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 19)]) { $0[0].sum() }
    expectGradientsMatch([randomTensor(shape, seed: 20)]) { $0[0].mean() }
  }

  @Test func reshapeAndPermute() {
    expectGradientsMatch([randomTensor([2, 3, 4], seed: 21)]) {
      $0[0].reshaped([4, -1]) * $0[0].reshaped([4, 6])
    }
    expectGradientsMatch([randomTensor([2, 3, 4], seed: 22)]) { $0[0].permuted([2, 0, 1]) }
    expectGradientsMatch([randomTensor([3, 5], seed: 23)]) { $0[0].transposed() }
  }

  @Test(arguments: [0, 1, -1])
  func sliceAndConcatenate(axis: Int) {
    expectGradientsMatch([randomTensor([3, 4], seed: 24)]) { $0[0].slice(alongAxis: axis, 1..<3) }
    expectGradientsMatch([randomTensor([3, 4], seed: 25), randomTensor([3, 4], seed: 26)]) {
      Variable.concatenate([$0[0], $0[1], $0[0]], alongAxis: axis)
    }
  }

  @Test func gatherRowsWithRepeats() {
    expectGradientsMatch([randomTensor([5, 3], seed: 27)]) { $0[0].gatherRows([4, 0, 4, 2, 4]) }
  }

  @Test(arguments: [(1, 3, 2), (4, 5, 3), (2, 1, 6)])
  func matrixProduct(sizes: (Int, Int, Int)) {
    let (m, k, n) = sizes
    expectGradientsMatch([randomTensor([m, k], seed: 28), randomTensor([k, n], seed: 29)]) {
      Variable.matmul($0[0], $0[1])
    }
  }

  @Test(arguments: [false, true])
  func batchedMatrixProduct(transposeB: Bool) {
    let b = transposeB ? randomTensor([2, 4, 3], seed: 31) : randomTensor([2, 3, 4], seed: 31)
    expectGradientsMatch([randomTensor([2, 5, 3], seed: 30), b]) {
      Variable.batchedMatmul($0[0], $0[1], transposeB: transposeB)
    }
  }

  @Test(arguments: [(1, true), (3, true), (4, false)])
  func fusedLinear(arguments: (Int, Bool)) {
    let (batch, hasBias) = arguments
    var inputs = [randomTensor([batch, 5], seed: 32), randomTensor([3, 5], seed: 33)]
    if hasBias { inputs.append(randomTensor([3], seed: 34)) }
    expectGradientsMatch(inputs) {
      Variable.linear($0[0], weight: $0[1], bias: hasBias ? $0[2] : nil)
    }
  }

  struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var batch: Int, size: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int,
      padding: Int
    var testDescription: String {
      "n\(batch) \(size)x\(size)x\(inChannels)->\(outChannels) k\(kernel) s\(stride) p\(padding)"
    }
  }

  @Test(arguments: [
    ConvolutionCase(
      batch: 1, size: 5, inChannels: 1, outChannels: 2, kernel: 3, stride: 1, padding: 0),
    ConvolutionCase(
      batch: 2, size: 5, inChannels: 3, outChannels: 2, kernel: 3, stride: 2, padding: 1),
    ConvolutionCase(
      batch: 2, size: 4, inChannels: 2, outChannels: 3, kernel: 1, stride: 1, padding: 0),
    ConvolutionCase(
      batch: 1, size: 6, inChannels: 2, outChannels: 1, kernel: 2, stride: 2, padding: 0),
  ])
  func convolution(arguments c: ConvolutionCase) {
    let inputs = [
      randomTensor([c.batch, c.size, c.size, c.inChannels], seed: 35),
      randomTensor([c.outChannels, c.kernel, c.kernel, c.inChannels], seed: 36),
      randomTensor([c.outChannels], seed: 37),
    ]
    expectGradientsMatch(inputs) {
      Variable.conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: c.padding)
    }
  }

  @Test(arguments: [([1, 4, 4, 1], 2, 2), ([2, 5, 5, 3], 2, 2), ([1, 5, 5, 2], 3, 1)])
  func pooling(arguments: ([Int], Int, Int)) {
    let (shape, kernel, stride) = arguments
    expectGradientsMatch([distinctTensor(shape, seed: 38)]) {
      $0[0].maxPool2d(kernelSize: kernel, stride: stride)
    }
    expectGradientsMatch([randomTensor(shape, seed: 39)]) {
      $0[0].avgPool2d(kernelSize: kernel, stride: stride)
    }
  }

  @Test(arguments: [1, 4])
  func softmaxCrossEntropy(batch: Int) {
    let labels = (0..<batch).map { Int32($0 % 5) }
    expectGradientsMatch([randomTensor([batch, 5], seed: 40, scale: 2)]) {
      $0[0].softmaxCrossEntropy(labels: labels)
    }
  }

  @Test func softmaxCrossEntropyIsStableForHugeLogits() {
    let tape = Tape()
    let logits = tape.variable(
      Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -5000, 5000, 5000]))
    let loss = logits.softmaxCrossEntropy(labels: [0, 1])
    #expect(loss.value.scalar.isFinite)
    #expect(abs(loss.value.scalar - Float(0.5 * 0.6931472)) < 1e-4)
    tape.backward(from: loss)
    #expect(tape.gradient(of: logits)!.scalars.allSatisfy { $0.isFinite })
  }

  @Test(arguments: [[1, 4], [3, 6]])
  func compositeSoftmaxAndNormalization(shape: [Int]) {
    expectGradientsMatch([randomTensor(shape, seed: 41)]) { $0[0].softmax() }
    expectGradientsMatch([randomTensor(shape, seed: 42)]) {
      $0[0].normalizedOverLastAxis(epsilon: 1e-5)
    }
    expectGradientsMatch([randomTensor(shape, seed: 43), randomTensor(shape, seed: 44)]) {
      $0[0].meanSquaredError(target: $0[1])
    }
  }

  @Test func dropoutUsesOneMaskForwardAndBackward() {
    expectGradientsMatch([randomTensor([4, 6], seed: 45)]) { $0[0].dropout(rate: 0.5) }
  }

  @Test func detachedStopsTheGradient() {
    let tape = Tape()
    let x = tape.variable(Tensor([1, 2, 3]))
    tape.backward(from: (x.detached() * x).sum())
    #expect(tape.gradient(of: x)!.scalars == [1, 2, 3])
  }

  @Test func reusedVariableAccumulatesGradients() {
    let tape = Tape()
    let x = tape.variable(Tensor([2, -1]))
    tape.backward(from: (x * x + x * 3).sum())
    #expect(tape.gradient(of: x)!.scalars == [7, 1])
  }
}
