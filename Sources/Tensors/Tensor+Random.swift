/// Seeded random tensors.
extension Tensor {
  /// Normal samples with the given mean and standard deviation.
  public static func randomNormal(
    shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
    using generator: inout SeededGenerator
  ) -> Tensor {
    var result = Tensor(uninitializedShape: shape)
    result.withUnsafeMutableBufferPointer { out in
      for index in 0..<out.count { out[index] = mean + standardDeviation * generator.nextNormal() }
    }
    return result
  }

  /// Uniform samples in `[lower, upper)`.
  public static func randomUniform(
    shape: [Int], lower: Float, upper: Float, using generator: inout SeededGenerator
  ) -> Tensor {
    var result = Tensor(uninitializedShape: shape)
    result.withUnsafeMutableBufferPointer { out in
      for index in 0..<out.count {
        out[index] = lower + (upper - lower) * generator.nextUnitFloat()
      }
    }
    return result
  }
}
