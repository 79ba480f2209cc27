/// L2 clipping of flat update vectors.
public enum Clipping {
  /// The Euclidean norm of `vector`, accumulated in `Double`.
  ///
  /// - Complexity: O(`vector.count`).
  public static func norm(_ vector: [Float]) -> Double {
    var total = 0.0
    for value in vector { total += Double(value) * Double(value) }
    return total.squareRoot()
  }

  /// `vector` scaled by min(1, `maximumNorm` / ‖vector‖), so its norm is at most `maximumNorm`.
  ///
  /// - Returns: the clipped vector and the norm before clipping.
  /// - Precondition: `maximumNorm > 0`.
  /// - Complexity: O(`vector.count`).
  public static func clipped(_ vector: [Float], toNorm maximumNorm: Double) -> (
    vector: [Float], originalNorm: Double
  ) {
    precondition(maximumNorm > 0, "clipping norm \(maximumNorm) must be positive")
    let original = norm(vector)
    let scale = clippingScale(norm: original, maximumNorm: maximumNorm)
    guard scale < 1 else { return (vector, original) }
    return (vector.map { Float(Double($0) * scale) }, original)
  }

  /// The factor min(1, `maximumNorm` / `norm`) that clips a vector of norm `norm`.
  ///
  /// Computed in `Double` and lowered by one part in 10⁶ (about 8 `Float` ulps), so that the
  /// clipped vector's norm, recomputed from its rounded `Float` values, stays within
  /// `maximumNorm`.
  public static func clippingScale(norm: Double, maximumNorm: Double) -> Double {
    guard norm > maximumNorm else { return 1 }
    return maximumNorm / norm * (1 - 1e-6)
  }
}
