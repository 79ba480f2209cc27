import Tensors

/// The loops every rule is built from, over n rows of d Floats (one row per update).
///
/// Rows stay in the callers' arrays: nothing copies the n x d matrix whole. Kernels walk the
/// coordinates in blocks small enough for the cache and split the blocks across
/// `Parallel.threadCount` threads, so each row is read once per pass.
enum RowKernels {
  /// Coordinates per thread below which a pass runs on one thread.
  static let parallelCoordinatesMin = 1 << 15
  /// Coordinates per cache block (16 KiB of output per block).
  static let blockWidth = 4096

  /// Runs `body` with a read-only base pointer to every row, valid only during the call.
  static func withRowPointers<Result>(
    _ rows: [[Float]], _ body: ([UnsafePointer<Float>]) -> Result
  ) -> Result {
    var pointers: [UnsafePointer<Float>] = []
    pointers.reserveCapacity(rows.count)
    // Each level borrows one more row; the innermost level sees them all. Depth is bounded by
    // `AggregationLimits.updateCountMax` (+1 for a reference row).
    func borrow(_ index: Int) -> Result {
      if index == rows.count { return body(pointers) }
      return rows[index].withUnsafeBufferPointer { buffer in
        pointers.append(buffer.baseAddress!)
        return borrow(index + 1)
      }
    }
    return borrow(0)
  }

  /// Creates `count` rows of `dimension` Floats that `fill` must initialise completely, without
  /// zeroing or copying them first.
  static func makeRows(
    count: Int, dimension: Int, _ fill: ([UnsafeMutablePointer<Float>]) -> Void
  ) -> [[Float]] {
    var pointers: [UnsafeMutablePointer<Float>] = []
    var built: [[Float]] = []
    // Each level creates one array whose initialiser runs the next level, so the innermost level
    // holds every array's storage at once; the arrays come back innermost first.
    func create(_ index: Int) {
      if index == count {
        fill(pointers)
        return
      }
      let row = [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
        pointers.append(buffer.baseAddress!)
        create(index + 1)
        initialized = dimension
      }
      built.append(row)
    }
    create(0)
    return built.reversed()
  }

  /// Splits `0..<dimension` across threads and each thread's range into cache blocks.
  static func forEachBlock(
    dimension: Int, _ body: (_ thread: Int, _ block: Range<Int>) -> Void
  ) {
    Parallel.forEachIndexedRange(count: dimension, minimumChunk: parallelCoordinatesMin) {
      thread, range in
      var start = range.lowerBound
      while start < range.upperBound {
        let end = Swift.min(start + blockWidth, range.upperBound)
        body(thread, start..<end)
        start = end
      }
    }
  }

  /// Whether every value of each row is finite (no NaN, no infinity).
  /// - Complexity: O(n d).
  static func finiteFlags(_ rows: [[Float]]) -> [Bool] {
    rows.map { row in
      row.withUnsafeBufferPointer { buffer in
        let partials = ThreadSlots.forBlocks(dimension: buffer.count, initialValue: true)
        forEachBlock(dimension: buffer.count) { thread, block in
          if !isFinite(buffer.baseAddress! + block.lowerBound, count: block.count) {
            partials[thread] = false
          }
        }
        return partials.values.allSatisfy { $0 }
      }
    }
  }

  /// Whether `count` Floats at `values` are all finite: `x * 0` is 0 for finite x and NaN
  /// otherwise, so one vector sum answers for the whole range.
  static func isFinite(_ values: UnsafePointer<Float>, count: Int) -> Bool {
    var accumulator = SIMD16<Float>(repeating: 0)
    var index = 0
    let raw = UnsafeRawPointer(values)
    while index + 16 <= count {
      accumulator += raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self) * 0
      index += 16
    }
    var tail: Float = 0
    while index < count {
      tail += values[index] * 0
      index += 1
    }
    return (accumulator.sum() + tail).isFinite
  }

  /// `output = sum_j coefficients[j] * rows[j]`, skipping zero coefficients.
  /// - Complexity: O(k d) for k non-zero coefficients.
  static func combine(
    _ rows: [UnsafePointer<Float>], coefficients: [Float], dimension: Int,
    into output: UnsafeMutablePointer<Float>
  ) {
    precondition(rows.count == coefficients.count, "one coefficient per row")
    let terms = coefficients.indices.filter { coefficients[$0] != 0 }
    forEachBlock(dimension: dimension) { _, block in
      let out = output + block.lowerBound
      let width = block.count
      for index in 0..<width { out[index] = 0 }
      for term in terms {
        let row = rows[term] + block.lowerBound
        let coefficient = coefficients[term]
        for index in 0..<width { out[index] += coefficient * row[index] }
      }
    }
  }

  /// `sum_j coefficients[j] * rows[j]` as a new array.
  static func combined(_ rows: [[Float]], coefficients: [Float]) -> [Float] {
    let dimension = rows[0].count
    return withRowPointers(rows) { pointers in
      [Float](unsafeUninitializedCapacity: dimension) { buffer, initialized in
        combine(
          pointers, coefficients: coefficients, dimension: dimension, into: buffer.baseAddress!)
        initialized = dimension
      }
    }
  }

  /// The L2 norm of `values`, accumulated in Double.
  /// - Complexity: O(d).
  static func norm(_ values: [Float]) -> Double {
    values.withUnsafeBufferPointer { norm($0.baseAddress!, count: $0.count) }
  }

  /// The L2 norm of `count` Floats at `values`, accumulated in Double per block.
  static func norm(_ values: UnsafePointer<Float>, count: Int) -> Double {
    let partials = ThreadSlots.forBlocks(dimension: count, initialValue: 0.0)
    forEachBlock(dimension: count) { thread, block in
      let start = values + block.lowerBound
      let raw = UnsafeRawPointer(start)
      var accumulator = SIMD16<Float>(repeating: 0)
      var index = 0
      while index + 16 <= block.count {
        let value = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD16<Float>.self)
        accumulator += value * value
        index += 16
      }
      var sum = Double(accumulator.sum())
      while index < block.count {
        sum += Double(start[index] * start[index])
        index += 1
      }
      partials[thread] += sum
    }
    return partials.values.reduce(0, +).squareRoot()
  }

  /// The dot product of two vectors of equal length, accumulated in Double every 16 values.
  /// - Complexity: O(d).
  static func dot(_ first: [Float], _ second: [Float]) -> Double {
    precondition(first.count == second.count, "dot of vectors of different lengths")
    return first.withUnsafeBufferPointer { a in
      second.withUnsafeBufferPointer { b in
        var total: Double = 0
        var index = 0
        while index + 16 <= a.count {
          let left = UnsafeRawPointer(a.baseAddress! + index).loadUnaligned(
            as: SIMD16<Float>.self)
          let right = UnsafeRawPointer(b.baseAddress! + index).loadUnaligned(
            as: SIMD16<Float>.self)
          total += Double((left * right).sum())
          index += 16
        }
        while index < a.count {
          total += Double(a[index] * b[index])
          index += 1
        }
        return total
      }
    }
  }

  /// `values * factor` as a new array.
  /// - Complexity: O(d), split across threads.
  static func scaled(_ values: [Float], by factor: Float) -> [Float] {
    values.withUnsafeBufferPointer { source in
      [Float](unsafeUninitializedCapacity: source.count) { target, initialized in
        let (input, output) = (source.baseAddress!, target.baseAddress!)
        forEachBlock(dimension: source.count) { _, block in
          for index in block { output[index] = factor * input[index] }
        }
        initialized = source.count
      }
    }
  }
}

/// One slot per thread for partial results written from `Parallel` workers.
final class ThreadSlots<Element>: @unchecked Sendable {
  // Each worker writes only its own slot, and the caller reads after `Parallel` has joined them.
  let base: UnsafeMutablePointer<Element>
  let count: Int

  init(count: Int, initialValue: Element) {
    self.count = count
    base = .allocate(capacity: count)
    base.initialize(repeating: initialValue, count: count)
  }

  deinit {
    base.deinitialize(count: count)
    base.deallocate()
  }

  subscript(index: Int) -> Element {
    get { base[index] }
    set { base[index] = newValue }
  }

  /// The slots as an array.
  var values: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }

  /// Slots for the ranges `RowKernels.forEachBlock` splits `dimension` into.
  static func forBlocks(dimension: Int, initialValue: Element) -> ThreadSlots {
    ThreadSlots(
      count: Parallel.rangeCount(
        count: dimension, minimumChunk: RowKernels.parallelCoordinatesMin),
      initialValue: initialValue)
  }
}
