import Tensors

/// `y = x W^T + b` with `W` of shape `[outputs, inputs]` (PyTorch's layout).
public final class Linear: Layer {
  public let weight: Parameter
  public let bias: Parameter?

  public init(inputs: Int, outputs: Int, hasBias: Bool = true, generator: inout SeededGenerator) {
    weight = Parameter(
      defaultInitialization(shape: [outputs, inputs], fanIn: inputs, using: &generator))
    bias =
      hasBias
      ? Parameter(defaultInitialization(shape: [outputs], fanIn: inputs, using: &generator)) : nil
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
  }

  /// Applies the map to `[batch, inputs]`, or to `[..., inputs]` by folding the leading axes.
  public func callAsFunction(_ input: Variable) -> Variable {
    let tape = input.tape
    let inputs = weight.shape[1]
    let folded = input.shape.count == 2 ? input : input.reshaped([-1, inputs])
    let output = Variable.linear(
      folded, weight: tape.watch(weight), bias: bias.map { tape.watch($0) })
    if input.shape.count == 2 { return output }
    return output.reshaped(Array(input.shape.dropLast()) + [weight.shape[0]])
  }
}
