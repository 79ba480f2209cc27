import Tensors

/// 2-D convolution over NHWC input; weight `[outChannels, kernel, kernel, inChannels]`.
public final class Conv2D: Layer {
  public let weight: Parameter
  public let bias: Parameter?
  public let stride: Int
  public let padding: Int

  public init(
    inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    hasBias: Bool = true, generator: inout SeededGenerator
  ) {
    let fanIn = inChannels * kernelSize * kernelSize
    weight = Parameter(
      defaultInitialization(
        shape: [outChannels, kernelSize, kernelSize, inChannels], fanIn: fanIn, using: &generator))
    bias =
      hasBias
      ? Parameter(defaultInitialization(shape: [outChannels], fanIn: fanIn, using: &generator))
      : nil
    self.stride = stride
    self.padding = padding
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    let tape = input.tape
    return Variable.conv2d(
      input, weight: tape.watch(weight), bias: bias.map { tape.watch($0) }, stride: stride,
      padding: padding)
  }
}
