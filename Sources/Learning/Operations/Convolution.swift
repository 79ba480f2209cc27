import Tensors

extension Variable {
  /// 2-D convolution over NHWC input with weight `[out, kh, kw, in]` and optional bias `[out]`.
  /// The backward rule keeps the input (not the im2col matrix) and rebuilds the im2col rows
  /// chunk by chunk.
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
      tape.accumulate(gradients.weight, into: 1)
      if hasBias { tape.accumulate(gradients.bias, into: 2) }
      if let inputGradient = gradients.input { tape.accumulate(inputGradient, into: 0) }
    }
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
