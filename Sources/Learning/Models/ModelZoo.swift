import Tensors

/// The models a configuration file can name.
public enum ModelArchitecture: Sendable, Equatable {
  /// `inputs -> 256 -> 128 -> classes` with ReLU (784-256-128-10 on Fashion-MNIST).
  case mlp(inputs: Int, classes: Int)
  /// conv 1->32 3x3, ReLU, maxpool 2; conv 32->64 3x3, ReLU, maxpool 2; linear 1600->128,
  /// ReLU; linear 128->10. Input `[batch, 28, 28, 1]`.
  case cnnSmall
  /// A character-level causal transformer.
  case tinyTransformer(TransformerSettings)
  /// One linear layer over precomputed `ScatteringTransform` features of shape `featureShape`
  /// (`[7, 7, 81]` for 28 x 28 images); the transform itself has no parameters.
  case scatternetLinear(featureShape: [Int], classes: Int)

  /// The configuration-file name.
  public var name: String {
    switch self {
    case .mlp: "mlp"
    case .cnnSmall: "cnn-small"
    case .tinyTransformer: "tiny-transformer"
    case .scatternetLinear: "scatternet-linear"
    }
  }

  /// Builds the model with seeded, deterministic initial weights.
  public func makeModel(seed: UInt64) -> any Layer {
    var generator = SeededGenerator(seed: seed)
    switch self {
    case .mlp(let inputs, let classes):
      return Sequential([
        Flatten(),
        Linear(inputs: inputs, outputs: 256, generator: &generator), ReLU(),
        Linear(inputs: 256, outputs: 128, generator: &generator), ReLU(),
        Linear(inputs: 128, outputs: classes, generator: &generator),
      ])
    case .cnnSmall:
      return Sequential([
        Conv2D(inChannels: 1, outChannels: 32, kernelSize: 3, generator: &generator), ReLU(),
        MaxPool2D(kernelSize: 2),
        Conv2D(inChannels: 32, outChannels: 64, kernelSize: 3, generator: &generator), ReLU(),
        MaxPool2D(kernelSize: 2),
        Flatten(),
        Linear(inputs: 1600, outputs: 128, generator: &generator), ReLU(),
        Linear(inputs: 128, outputs: 10, generator: &generator),
      ])
    case .tinyTransformer(let settings):
      return TinyTransformer(settings, generator: &generator)
    case .scatternetLinear(let featureShape, let classes):
      return Sequential([
        Flatten(),
        Linear(inputs: featureShape.reduce(1, *), outputs: classes, generator: &generator),
      ])
    }
  }
}
