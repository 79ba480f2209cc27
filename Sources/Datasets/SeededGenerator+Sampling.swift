import Tensors

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Draws that partitioning needs beyond `SeededGenerator`'s own, written out here rather than
/// taken from the standard library (`shuffle(using:)`, `Int.random(in:using:)`), whose algorithms
/// may change between Swift releases: a partition must be the same for a seed on every peer,
/// whatever toolchain built it.
extension SeededGenerator {
  /// Most rejection rounds of the Gamma sampler; each round accepts with probability above 0.95,
  /// so reaching the bound has probability below 10^-1000.
  static let gammaRoundsMax = 1_000

  /// A uniform integer in `0..<bound` (Lemire's multiply-and-reject, without bias).
  mutating func uniformIndex(below bound: Int) -> Int {
    precondition(bound > 0, "empty range")
    let range = UInt64(bound)
    let threshold = (0 &- range) % range
    while true {
      let product = next().multipliedFullWidth(by: range)
      if product.low >= threshold { return Int(product.high) }
    }
  }

  /// A uniform Double in (0, 1], safe to take the logarithm of.
  mutating func nextOpenUnitDouble() -> Double {
    Double((next() >> 11) + 1) * 0x1p-53
  }

  /// A standard normal Double (Box-Muller, one value per call).
  mutating func nextNormalDouble() -> Double {
    let radius = (-2 * log(nextOpenUnitDouble())).squareRoot()
    return radius * cos(2 * Double.pi * nextOpenUnitDouble())
  }

  /// The logarithm of a Gamma(`shape`, 1) sample.
  ///
  /// Marsaglia and Tsang's method (2000) for `shape >= 1`; for `shape < 1` the boost
  /// `Gamma(shape) = Gamma(shape + 1) * U^(1 / shape)`. Returned as a logarithm because for a
  /// small shape (a Dirichlet alpha of 0.01) `U^(1 / shape)` underflows to zero in Double.
  mutating func logGammaSample(shape: Double) -> Double {
    precondition(shape > 0 && shape.isFinite, "Gamma shape must be finite and positive")
    if shape < 1 {
      return logGammaSample(shape: shape + 1) + log(nextOpenUnitDouble()) / shape
    }
    let d = shape - 1.0 / 3
    let c = 1 / (9 * d).squareRoot()
    for _ in 0..<Self.gammaRoundsMax {
      let x = nextNormalDouble()
      let cube = 1 + c * x
      guard cube > 0 else { continue }
      let v = cube * cube * cube
      let logU = log(nextOpenUnitDouble())
      if logU < 0.5 * x * x + d - d * v + d * log(v) { return log(d * v) }
    }
    return log(d)  // Unreachable in practice (see `gammaRoundsMax`): the mode.
  }

  /// Proportions over `count` categories drawn from a symmetric Dirichlet(`alpha`).
  ///
  /// Normalises Gamma samples in log space, so the proportions sum to 1 even when every sample
  /// underflows.
  mutating func dirichletSample(alpha: Double, count: Int) -> [Double] {
    precondition(count >= 1, "a Dirichlet needs at least one category")
    let logs = (0..<count).map { _ in logGammaSample(shape: alpha) }
    let largest = logs.max()!
    let weights = logs.map { exp($0 - largest) }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
  }

  /// Shuffles `elements` in place (Fisher-Yates with `uniformIndex(below:)`).
  mutating func shuffle<Element>(_ elements: inout [Element]) {
    guard elements.count > 1 else { return }
    for index in stride(from: elements.count - 1, to: 0, by: -1) {
      elements.swapAt(index, uniformIndex(below: index + 1))
    }
  }
}
