import Tensors

/// Layers applied in order. Parameter names are prefixed with the layer's index (`3.weight`), as
/// in PyTorch's `nn.Sequential`, so the MLP's checkpoint names match PyTorch's state dict.
public final class Sequential: Layer {
  public let layers: [any Layer]

  public init(_ layers: [any Layer]) { self.layers = layers }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    prefixed { $0.namedParameters }
  }
  public var namedBuffers: [(name: String, parameter: Parameter)] { prefixed { $0.namedBuffers } }

  private func prefixed(
    _ names: (any Layer) -> [(name: String, parameter: Parameter)]
  ) -> [(name: String, parameter: Parameter)] {
    layers.enumerated().flatMap { index, layer in
      names(layer).map { ("\(index).\($0.name)", $0.parameter) }
    }
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    layers.reduce(input) { $1($0) }
  }
}
