import Tensors
import Testing

@testable import Aggregation

/// The shared loops against direct computations, on one and two threads.
struct RowKernelsTests {
  @Test(arguments: [1, 2])
  func combineMatchesDirectSums(threads: Int) {
    Parallel.withThreads(threads) {
      var generator = SeededGenerator(seed: 1)
      let dimension = 100_003
      let rows = (0..<5).map { _ in (0..<dimension).map { _ in generator.nextNormal() } }
      let coefficients: [Float] = [0.5, 0, -1, 2, 0.25]
      let combined = RowKernels.combined(rows, coefficients: coefficients)
      let expected = (0..<dimension).map { index in
        (0..<5).reduce(Float(0)) { $0 + coefficients[$1] * rows[$1][index] }
      }
      #expect(isClose(combined, expected, tolerance: 1e-5))
    }
  }

  @Test func makeRowsKeepsTheOrder() {
    let rows = RowKernels.makeRows(count: 4, dimension: 3) { pointers in
      for (index, pointer) in pointers.enumerated() {
        for column in 0..<3 { pointer[column] = Float(index * 10 + column) }
      }
    }
    #expect(rows == [[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]])
  }

  @Test(arguments: [1, 2])
  func normAndFinitenessOverLongRows(threads: Int) {
    Parallel.withThreads(threads) {
      let row = [Float](repeating: 0.5, count: 1 << 18)
      #expect(abs(RowKernels.norm(row) - 0.5 * Double(1 << 9)) < 1e-9)
      var bad = row
      bad[(1 << 18) - 3] = .infinity
      #expect(RowKernels.finiteFlags([row, bad, [1, .nan]]) == [true, false, false])
    }
  }
}
