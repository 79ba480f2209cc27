#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Normal samples from any `RandomNumberGenerator`, by the Box–Muller transform.
///
/// Two uniforms u1 in (0, 1] and u2 in [0, 1), each with 53 random bits, give two independent
/// standard normals `sqrt(-2 log u1) (cos 2π u2, sin 2π u2)`. Computed in `Double`; the tails
/// reach about ±8.6 (u1 = 2⁻⁵³). Deterministic for a seeded generator.
///
/// Floating-point samplers are known to leak through the low bits of their output (Mironov
/// 2012); `docs/privacy.md` says what this means for the guarantee.
public enum GaussianSampler {
  /// Two independent standard normal samples.
  public static func standardNormalPair(using generator: inout some RandomNumberGenerator)
    -> (Double, Double)
  {
    let u1 = (Double(generator.next() >> 11) + 1) * 0x1p-53
    let u2 = Double(generator.next() >> 11) * 0x1p-53
    let radius = (-2 * log(u1)).squareRoot()
    let angle = 2 * Double.pi * u2
    return (radius * cos(angle), radius * sin(angle))
  }

  /// `count` independent samples of N(0, `standardDeviation`²).
  ///
  /// - Complexity: O(`count`).
  public static func samples(
    count: Int, standardDeviation: Double, using generator: inout some RandomNumberGenerator
  ) -> [Double] {
    precondition(count >= 0 && standardDeviation >= 0, "normal samples")
    var result = [Double]()
    result.reserveCapacity(count + 1)
    while result.count < count {
      let (first, second) = standardNormalPair(using: &generator)
      result.append(first * standardDeviation)
      result.append(second * standardDeviation)
    }
    result.removeLast(result.count - count)
    return result
  }

  /// Adds N(0, `standardDeviation`²) to every element of `values`.
  ///
  /// - Complexity: O(`values.count`).
  public static func addNoise(
    to values: inout [Float], standardDeviation: Double,
    using generator: inout some RandomNumberGenerator
  ) {
    guard standardDeviation > 0 else { return }
    var index = 0
    while index < values.count {
      let (first, second) = standardNormalPair(using: &generator)
      values[index] = Float(Double(values[index]) + first * standardDeviation)
      if index + 1 < values.count {
        values[index + 1] = Float(Double(values[index + 1]) + second * standardDeviation)
      }
      index += 2
    }
  }
}
