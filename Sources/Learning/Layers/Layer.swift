import Tensors

/// Something that owns named parameters (and non-trainable state such as running statistics).
///
/// The order of `namedParameters` is the model's fixed parameter order: flat parameter vectors
/// and checkpoints follow it, so two peers with the same architecture agree on every index.
public protocol ParameterContainer: AnyObject {
  /// Trainable parameters, in the model's fixed order, with dotted names (`1.weight`).
  var namedParameters: [(name: String, parameter: Parameter)] { get }
  /// Non-trainable state saved in checkpoints but not trained or aggregated.
  var namedBuffers: [(name: String, parameter: Parameter)] { get }
}

extension ParameterContainer {
  public var namedBuffers: [(name: String, parameter: Parameter)] { [] }
  /// The trainable parameters in fixed order.
  public var parameters: [Parameter] { namedParameters.map(\.parameter) }
  /// Number of trainable scalars.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
  /// Forgets every accumulated gradient.
  public func zeroGradients() { for parameter in parameters { parameter.zeroGradient() } }
}

/// A differentiable function of one variable with parameters.
public protocol Layer: ParameterContainer {
  func callAsFunction(_ input: Variable) -> Variable
}

/// PyTorch's default initialisation for linear and convolution layers: uniform in
/// `±1/sqrt(fanIn)` for weights and biases (Kaiming uniform with a = sqrt(5)).
func defaultInitialization(
  shape: [Int], fanIn: Int, using generator: inout SeededGenerator
) -> Tensor {
  let bound = 1 / Float(fanIn).squareRoot()
  return Tensor.randomUniform(shape: shape, lower: -bound, upper: bound, using: &generator)
}

/// A layer without parameters.
public protocol StatelessLayer: Layer {}
extension StatelessLayer {
  public var namedParameters: [(name: String, parameter: Parameter)] { [] }
}
