import Tensors

/// Max pooling over square windows (NHWC).
public final class MaxPool2D: StatelessLayer {
  public let kernelSize: Int
  public let stride: Int
  public init(kernelSize: Int, stride: Int? = nil) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }
  public func callAsFunction(_ input: Variable) -> Variable {
    input.maxPool2d(kernelSize: kernelSize, stride: stride)
  }
}

/// Average pooling over square windows (NHWC).
public final class AvgPool2D: StatelessLayer {
  public let kernelSize: Int
  public let stride: Int
  public init(kernelSize: Int, stride: Int? = nil) {
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
  }
  public func callAsFunction(_ input: Variable) -> Variable {
    input.avgPool2d(kernelSize: kernelSize, stride: stride)
  }
}

public final class ReLU: StatelessLayer {
  public init() {}
  public func callAsFunction(_ input: Variable) -> Variable { input.relu() }
}

public final class GELU: StatelessLayer {
  public init() {}
  public func callAsFunction(_ input: Variable) -> Variable { input.gelu() }
}

/// Inverted dropout, active only on training tapes.
public final class Dropout: StatelessLayer {
  public let rate: Float
  public init(rate: Float) {
    precondition(rate >= 0 && rate < 1, "dropout rate \(rate) outside [0, 1)")
    self.rate = rate
  }
  public func callAsFunction(_ input: Variable) -> Variable { input.dropout(rate: rate) }
}

/// Flattens every axis after the first: `[batch, ...] -> [batch, product]`.
public final class Flatten: StatelessLayer {
  public init() {}
  public func callAsFunction(_ input: Variable) -> Variable {
    input.reshaped([input.shape[0], -1])
  }
}
