import Tensors

extension Variable {
  /// 2-D convolution over NHWC input with weight `[out, kh, kw, in]` and optional bias `[out]`.
  /// The backward rule keeps the input (not the im2col matrix) and rebuilds the im2col rows
  /// chunk by chunk. On a per-example tape the weight gradient of each image is recorded
  /// separately (im2col per image, `cols_iᵀ δ_i`).
  public static func conv2d(
    _ input: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0
  ) -> Variable {
    let tape = input.tape
    let (x, w) = (input.value, weight.value)
    let output = Tensor.conv2d(x, weight: w, bias: bias?.value, stride: stride, padding: padding)
    let inputsList = bias.map { [input, weight, $0] } ?? [input, weight]
    let hasBias = bias != nil
    return tape.record(output, inputs: inputsList) { gradient, tape in
      let gradients = Tensor.conv2dBackward(
        gradientOutput: gradient, input: x, weight: w, stride: stride, padding: padding,
        needsInputGradient: tape.needsGradient(0))
      if let batchSize = tape.perExampleBatchSize(forInput: 1) {
        precondition(batchSize == x.shape[0], "\(x.shape[0]) images for \(batchSize) examples")
        tape.recordPerExample(
          .dense(
            Tensor.conv2dPerExampleWeightGradients(
              gradientOutput: gradient, input: x, weightShape: w.shape, stride: stride,
              padding: padding)), into: 1)
      } else {
        tape.accumulate(gradients.weight, into: 1)
      }
      if hasBias { accumulateBiasGradient(gradient, summed: gradients.bias, into: tape) }
      if let inputGradient = gradients.input { tape.accumulate(inputGradient, into: 0) }
    }
  }

  /// The bias gradient of `conv2d`: summed, or split by image on a per-example tape.
  private static func accumulateBiasGradient(
    _ gradientOutput: Tensor, summed: Tensor, into tape: BackwardContext
  ) {
    guard tape.perExampleBatchSize(forInput: 2) != nil else {
      tape.accumulate(summed, into: 2)
      return
    }
    let (images, channels) = (gradientOutput.shape[0], gradientOutput.shape[3])
    tape.recordPerExample(
      .rowSums(
        outputGradients: gradientOutput.reshaped([-1, channels]),
        rowsPerExample: gradientOutput.count / (images * channels)), into: 2)
  }

  /// Max pooling over square windows of an NHWC variable.
  public func maxPool2d(kernelSize: Int, stride: Int? = nil) -> Variable {
    let input = value
    let step = stride ?? kernelSize
    let output = Tensor.maxPool2d(input, kernelSize: kernelSize, stride: step)
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(
        Tensor.maxPool2dBackward(
          gradientOutput: gradient, input: input, output: output, kernelSize: kernelSize,
          stride: step),
        into: 0)
    }
  }

  /// Average pooling over square windows of an NHWC variable.
  public func avgPool2d(kernelSize: Int, stride: Int? = nil) -> Variable {
    let inputShape = shape
    let step = stride ?? kernelSize
    let output = Tensor.avgPool2d(value, kernelSize: kernelSize, stride: step)
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(
        Tensor.avgPool2dBackward(
          gradientOutput: gradient, inputShape: inputShape, kernelSize: kernelSize, stride: step),
        into: 0)
    }
  }
}
