import Tensors

/// A model's trainable parameters as one contiguous `[Float]`: what federated aggregation
/// exchanges.
///
/// Order: `namedParameters` order (layer by layer, `weight` before `bias`), each tensor in
/// row-major order. Two models of the same architecture have the same order, whatever their
/// values. Non-trainable buffers (batch-norm running statistics) are not included.
extension ParameterContainer {
  /// All trainable parameters, concatenated in the fixed order.
  public func flattenedParameters() -> [Float] {
    var vector = [Float]()
    vector.reserveCapacity(parameterCount)
    for parameter in parameters {
      parameter.value.withUnsafeBufferPointer { vector.append(contentsOf: $0) }
    }
    return vector
  }

  /// Overwrites every trainable parameter from a vector made by `flattenedParameters()`.
  public func assignParameters(from vector: [Float]) {
    precondition(
      vector.count == parameterCount, "vector of \(vector.count) for \(parameterCount) parameters")
    var offset = 0
    vector.withUnsafeBufferPointer { source in
      for parameter in parameters {
        parameter.value.withUnsafeMutableBufferPointer { target in
          target.baseAddress!.update(from: source.baseAddress! + offset, count: target.count)
          offset += target.count
        }
      }
    }
  }

  /// All gradients concatenated in the fixed order (zeros where a parameter has none).
  public func flattenedGradients() -> [Float] {
    var vector = [Float]()
    vector.reserveCapacity(parameterCount)
    for parameter in parameters {
      if let gradient = parameter.gradient {
        gradient.withUnsafeBufferPointer { vector.append(contentsOf: $0) }
      } else {
        vector.append(contentsOf: repeatElement(0, count: parameter.value.count))
      }
    }
    return vector
  }
}
