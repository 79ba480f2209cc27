import Tensors
import Testing

@Test("Per-example convolution weight gradients sum to the batch weight gradient")
func perExampleConvolutionGradientsSumToBatchGradient() {
  var generator = SeededGenerator(seed: 1)
  let input = Tensor.randomNormal(shape: [5, 7, 6, 3], using: &generator)
  let weight = Tensor.randomNormal(shape: [4, 3, 3, 3], using: &generator)
  let output = Tensor.conv2d(input, weight: weight, bias: nil, stride: 2, padding: 1)
  let gradientOutput = Tensor.randomNormal(shape: output.shape, using: &generator)
  let batch = Tensor.conv2dBackward(
    gradientOutput: gradientOutput, input: input, weight: weight, stride: 2, padding: 1,
    needsInputGradient: false)
  let perExample = Tensor.conv2dPerExampleWeightGradients(
    gradientOutput: gradientOutput, input: input, weightShape: weight.shape, stride: 2,
    padding: 1)
  #expect(perExample.shape == [5, 4 * 3 * 3 * 3])
  let summed = perExample.sum(alongAxes: [0]).reshaped(weight.shape)
  #expect(summed.maximumAbsoluteDifference(batch.weight) < 1e-4)
  // Example 2 alone gives the gradient of a batch holding only example 2.
  let alone = Tensor.conv2dBackward(
    gradientOutput: gradientOutput.slice(alongAxis: 0, 2..<3),
    input: input.slice(alongAxis: 0, 2..<3), weight: weight, stride: 2, padding: 1,
    needsInputGradient: false)
  let row = perExample.slice(alongAxis: 0, 2..<3).reshaped(weight.shape)
  #expect(row.maximumAbsoluteDifference(alone.weight) < 1e-4)
}
