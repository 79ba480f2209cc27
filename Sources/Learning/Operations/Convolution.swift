import Tensors

extension Variable {
  /// 2-D convolution over NHWC input with weight `[out, kh, kw, in]` and optional bias `[out]`.
  /// The im2col matrix of the forward pass is kept for the weight gradient; in inference mode
  /// it is built in bounded chunks and dropped.
  public static func conv2d(
    _ input: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0
  ) -> Variable {
    let tape = input.tape
    let (x, w) = (input.value, weight.value)
    let (output, columns) = Tensor.conv2d(
      x, weight: w, bias: bias?.value, stride: stride, padding: padding,
      keepingColumns: tape.isRecording)
    let inputsList = bias.map { [input, weight, $0] } ?? [input, weight]
    let inputShape = x.shape
    return tape.record(output, inputs: inputsList) { gradient, tape in
      let gradients = Tensor.conv2dBackward(
        gradientOutput: gradient, columns: columns!, weight: w, inputShape: inputShape,
        stride: stride, padding: padding, needsInputGradient: tape.needsGradient(input))
      tape.accumulate(gradients.weight, into: weight)
      if let bias { tape.accumulate(gradients.bias, into: bias) }
      if let inputGradient = gradients.input { tape.accumulate(inputGradient, into: input) }
    }
  }

  /// Max pooling over square windows of an NHWC variable.
  public func maxPool2d(kernelSize: Int, stride: Int? = nil) -> Variable {
    let inputShape = shape
    let (output, argmax) = Tensor.maxPool2d(value, kernelSize: kernelSize, stride: stride ?? kernelSize)
    return tape.record(output, inputs: [self]) { gradient, tape in
      tape.accumulate(
        Tensor.maxPool2dBackward(gradientOutput: gradient, argmax: argmax, inputShape: inputShape),
        into: self)
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
        into: self)
    }
  }
}
