/// Order statistics of short Float buffers, in place (the buffers are per-coordinate scratch).
enum OrderStatistics {
  /// Partitions below which insertion sort finishes the job.
  static let insertionSortCountMax = 16

  /// Rearranges `values[0..<count]` so that `values[k]` holds the k-th smallest value, everything
  /// before it is no larger and everything after it no smaller; returns `values[k]`.
  /// - Complexity: O(count) expected (Hoare partition around a median of three).
  @inline(__always)
  static func select(_ values: UnsafeMutablePointer<Float>, count: Int, k: Int) -> Float {
    var low = 0
    var high = count - 1
    while high - low > insertionSortCountMax {
      let middle = (low + high) >> 1
      if values[middle] < values[low] { swapAt(values, middle, low) }
      if values[high] < values[low] { swapAt(values, high, low) }
      if values[high] < values[middle] { swapAt(values, high, middle) }
      let pivot = values[middle]
      var i = low
      var j = high
      while i <= j {
        while values[i] < pivot { i += 1 }
        while values[j] > pivot { j -= 1 }
        if i <= j {
          swapAt(values, i, j)
          i += 1
          j -= 1
        }
      }
      if k <= j {
        high = j
      } else if k >= i {
        low = i
      } else {
        return values[k]
      }
    }
    insertionSort(values + low, count: high - low + 1)
    return values[k]
  }

  @inline(__always)
  static func swapAt(_ values: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int) {
    let saved = values[a]
    values[a] = values[b]
    values[b] = saved
  }

  /// Sorts `count` values in place.
  /// - Complexity: O(count^2); for short ranges only.
  @inline(__always)
  static func insertionSort(_ values: UnsafeMutablePointer<Float>, count: Int) {
    guard count > 1 else { return }
    for index in 1..<count {
      let value = values[index]
      var position = index
      while position > 0 && values[position - 1] > value {
        values[position] = values[position - 1]
        position -= 1
      }
      values[position] = value
    }
  }

  /// The median of `count` values (mean of the two middle ones when `count` is even).
  @inline(__always)
  static func median(_ values: UnsafeMutablePointer<Float>, count: Int) -> Float {
    let upper = select(values, count: count, k: count / 2)
    guard count % 2 == 0 else { return upper }
    var lower = values[0]
    for index in 1..<(count / 2) where values[index] > lower { lower = values[index] }
    return lower / 2 + upper / 2
  }

  /// The mean of the values left after dropping the `trimming` smallest and `trimming` largest.
  @inline(__always)
  static func trimmedMean(_ values: UnsafeMutablePointer<Float>, count: Int, trimming: Int)
    -> Float
  {
    let kept = count - 2 * trimming
    if trimming > 0 {
      // After these two selections, values[trimming..<count-trimming] are the middle values.
      _ = select(values, count: count, k: trimming)
      _ = select(values + trimming, count: count - trimming, k: kept - 1)
    }
    var sum: Float = 0
    for index in trimming..<(trimming + kept) { sum += values[index] }
    return sum / Float(kept)
  }
}

extension OrderStatistics {
  /// The mean of the `kept` values closest to the median of `count` values (Bulyan's coordinate
  /// step). Sorts the buffer; the closest values then form the narrowest window around the median.
  /// - Complexity: O(count log count).
  static func meanClosestToMedian(_ values: UnsafeMutablePointer<Float>, count: Int, kept: Int)
    -> Float
  {
    var buffer = UnsafeMutableBufferPointer(start: values, count: count)
    buffer.sort()
    let median =
      count % 2 == 1 ? values[count / 2] : values[count / 2 - 1] / 2 + values[count / 2] / 2
    var bestStart = 0
    var bestSpread = Float.infinity
    for start in 0...(count - kept) {
      let spread = Swift.max(median - values[start], values[start + kept - 1] - median)
      if spread < bestSpread {
        bestSpread = spread
        bestStart = start
      }
    }
    var sum: Float = 0
    for index in bestStart..<(bestStart + kept) { sum += values[index] }
    return sum / Float(kept)
  }
}
