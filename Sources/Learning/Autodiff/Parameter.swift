import Tensors

/// A trainable tensor with its accumulated gradient.
///
/// Layers own their parameters; a `Tape` reads `value` in the forward pass and adds into
/// `gradient` in the backward pass, so several backward passes accumulate (gradient accumulation)
/// until an optimizer step or `zeroGradient()`.
public final class Parameter {
  public var value: Tensor
  public var gradient: Tensor?

  public init(_ value: Tensor) { self.value = value }

  public var shape: [Int] { value.shape }

  /// Adds `gradient` into the accumulated gradient.
  public func accumulateGradient(_ addend: Tensor) {
    precondition(addend.shape == value.shape, "gradient \(addend.shape) for \(value.shape)")
    if gradient == nil {
      gradient = addend
    } else {
      gradient!.add(addend)
    }
  }

  /// Forgets the accumulated gradient.
  public func zeroGradient() { gradient = nil }
}
