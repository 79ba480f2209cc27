/// Batcher's odd-even merge sort as a list of compare-exchanges, applied to 16 coordinates at
/// once: lane k of vector j is coordinate k of update j, so after the network lane k of vector
/// m holds the m-th smallest value of coordinate k.
///
/// A network costs the same on every input (no branches to mispredict, unlike quickselect) and
/// each compare-exchange handles 16 coordinates with two vector instructions. For n = 100 it has
/// 1,104 compare-exchanges: 69 per coordinate.
struct SortingNetwork: Sendable {
  /// Values sorted together (the number of updates).
  let count: Int
  /// Compare-exchange pairs (lower, upper) in order: after each, `lower` holds the minimum.
  let pairs: [(lower: Int32, upper: Int32)]

  /// The network for `count` values: the power-of-two network with the pairs that touch
  /// positions at or beyond `count` dropped (as if padded with +infinity, which those pairs
  /// would never move).
  /// - Complexity: O(n log^2 n) pairs.
  init(count: Int) {
    self.count = count
    var size = 1
    while size < count { size *= 2 }
    var pairs: [(lower: Int32, upper: Int32)] = []
    var p = 1
    while p < size {
      var k = p
      while k >= 1 {
        var j = k % p
        while j + k < size {
          for i in 0..<Swift.min(k, size - j - k) where (i + j) / (2 * p) == (i + j + k) / (2 * p) {
            if i + j + k < count { pairs.append((Int32(i + j), Int32(i + j + k))) }
          }
          j += 2 * k
        }
        k /= 2
      }
      p *= 2
    }
    self.pairs = pairs
  }

  /// Sorts each lane of `vectors[0..<count]` ascending.
  @inline(__always)
  func sort(_ vectors: UnsafeMutablePointer<SIMD16<Float>>) {
    pairs.withUnsafeBufferPointer { pairs in
      for pair in pairs {
        let (lower, upper) = (Int(pair.lower), Int(pair.upper))
        let (a, b) = (vectors[lower], vectors[upper])
        // A mask and two blends: the concrete SIMD16<Float> comparison and `replacing` compile
        // to vector instructions, where the generic `pointwiseMin` runs lane by lane.
        let isSwapped = b .< a
        vectors[lower] = a.replacing(with: b, where: isSwapped)
        vectors[upper] = b.replacing(with: a, where: isSwapped)
      }
    }
  }
}
