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

  /// Runs the layers in order. A `ReLU` directly followed by a `MaxPool2D` runs as the pool
  /// followed by the ReLU: `max(relu(x)) == relu(max(x))` with the same gradient, and the ReLU
  /// then touches a quarter of the elements (a 2x2 pool) in both passes.
  public func callAsFunction(_ input: Variable) -> Variable {
    var output = input
    var index = 0
    while index < layers.count {
      if layers[index] is ReLU, index + 1 < layers.count, layers[index + 1] is MaxPool2D {
        output = layers[index](layers[index + 1](output))
        index += 2
      } else {
        output = layers[index](output)
        index += 1
      }
    }
    return output
  }
}
