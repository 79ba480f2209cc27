import Tensors

/// Scales every gradient so that their joint Euclidean norm is at most `maximumNorm`.
/// Returns the norm before clipping (as PyTorch's `clip_grad_norm_` does).
@discardableResult
public func clipGradients(_ parameters: [Parameter], toGlobalNorm maximumNorm: Float) -> Float {
  precondition(maximumNorm > 0, "clipping norm must be positive")
  var total: Double = 0
  for parameter in parameters {
    guard let gradient = parameter.gradient else { continue }
    let norm = Double(gradient.norm())
    total += norm * norm
  }
  let norm = Float(total.squareRoot())
  let factor = maximumNorm / (norm + 1e-6)
  if factor < 1 {
    for parameter in parameters where parameter.gradient != nil {
      parameter.gradient!.scale(by: factor)
    }
  }
  return norm
}
