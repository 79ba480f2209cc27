import Tensors
import Testing

/// Convolution and pooling kernels against direct loops over NHWC indices.
struct ConvolutionTests {
  func directConvolution(
    _ input: Tensor, _ weight: Tensor, _ bias: Tensor, stride: Int, padding: Int
  ) -> Tensor {
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (o, k) = (weight.shape[0], weight.shape[1])
    let (oh, ow) = ((h + 2 * padding - k) / stride + 1, (w + 2 * padding - k) / stride + 1)
    var out = Tensor(zeros: [n, oh, ow, o])
    for image in 0..<n {
      for y in 0..<oh {
        for x in 0..<ow {
          for channel in 0..<o {
            var sum = bias[channel]
            for ky in 0..<k {
              for kx in 0..<k {
                let (iy, ix) = (y * stride - padding + ky, x * stride - padding + kx)
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                for ci in 0..<c { sum += input[image, iy, ix, ci] * weight[channel, ky, kx, ci] }
              }
            }
            out[image, y, x, channel] = sum
          }
        }
      }
    }
    return out
  }

  @Test(arguments: [(1, 1, 0), (2, 1, 1), (1, 2, 1), (2, 2, 0)], [1, 2])
  func convolutionMatchesDirectLoops(geometry: (Int, Int, Int), threads: Int) {
    Parallel.withThreads(threads) { convolutionMatchesDirectLoops(geometry: geometry) }
  }

  func convolutionMatchesDirectLoops(geometry: (Int, Int, Int)) {
    let (batch, stride, padding) = geometry
    var generator = SeededGenerator(seed: 5)
    let input = Tensor.randomNormal(shape: [batch * 3, 7, 6, 3], using: &generator)
    let weight = Tensor.randomNormal(shape: [4, 3, 3, 3], using: &generator)
    let bias = Tensor.randomNormal(shape: [4], using: &generator)
    let output = Tensor.conv2d(input, weight: weight, bias: bias, stride: stride, padding: padding)
    let reference = directConvolution(input, weight, bias, stride: stride, padding: padding)
    #expect(output.shape == reference.shape)
    #expect(output.maximumAbsoluteDifference(reference) < 1e-4)
  }

  @Test func convolutionBackwardSplitsAcrossThreadsWithTheSameResult() {
    var generator = SeededGenerator(seed: 6)
    let input = Tensor.randomNormal(shape: [40, 9, 9, 8], using: &generator)
    let weight = Tensor.randomNormal(shape: [5, 3, 3, 8], using: &generator)
    let gradient = Tensor.randomNormal(shape: [40, 7, 7, 5], using: &generator)
    func backward(threads: Int) -> (Tensor, Tensor, Tensor) {
      Parallel.configure(threads: threads)
      defer { Parallel.configure(threads: 1) }
      let result = Tensor.conv2dBackward(
        gradientOutput: gradient, input: input, weight: weight, stride: 1, padding: 0,
        needsInputGradient: true)
      return (result.input!, result.weight, result.bias)
    }
    let (one, two) = (backward(threads: 1), backward(threads: 2))
    #expect(one.0.maximumAbsoluteDifference(two.0) < 1e-3)
    #expect(one.1.maximumAbsoluteDifference(two.1) < 1e-2)
    #expect(one.2.maximumAbsoluteDifference(two.2) < 1e-3)
  }

  @Test func maxPoolTakesTheWindowMaximumAndRoutesTiesToTheFirst() {
    let input = Tensor(shape: [1, 2, 4, 1], scalars: [1, 5, 2, 2, 3, 4, 2, 2])
    let output = Tensor.maxPool2d(input, kernelSize: 2, stride: 2)
    #expect(output.scalars == [5, 2])
    let gradient = Tensor.maxPool2dBackward(
      gradientOutput: Tensor(shape: [1, 1, 2, 1], scalars: [10, 20]), input: input, output: output,
      kernelSize: 2, stride: 2)
    #expect(gradient.scalars == [0, 10, 20, 0, 0, 0, 0, 0])
  }

  @Test func maxPoolDropsWindowsThatDoNotFitAndHandlesManyChannels() {
    var generator = SeededGenerator(seed: 7)
    let input = Tensor.randomNormal(shape: [2, 5, 5, 19], using: &generator)
    let output = Tensor.maxPool2d(input, kernelSize: 2, stride: 2)
    #expect(output.shape == [2, 2, 2, 19])
    #expect(
      output[1, 1, 1, 18] == [
        input[1, 2, 2, 18], input[1, 2, 3, 18], input[1, 3, 2, 18], input[1, 3, 3, 18],
      ].max()!)
  }

  @Test func averagePoolAveragesEachWindow() {
    let input = Tensor(shape: [1, 2, 2, 2], scalars: [1, 10, 2, 20, 3, 30, 4, 40])
    #expect(Tensor.avgPool2d(input, kernelSize: 2, stride: 2).scalars == [2.5, 25])
  }
}
