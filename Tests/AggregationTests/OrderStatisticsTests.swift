import Tensors
import Testing

@testable import Aggregation

/// Quickselect and its uses against sorting.
struct OrderStatisticsTests {
  @Test(arguments: [1, 2, 3, 17, 18, 100, 101])
  func selectMatchesSorting(count: Int) {
    var generator = SeededGenerator(seed: UInt64(count))
    for _ in 0..<20 {
      // Few distinct values, so ties are common.
      let values = (0..<count).map { _ in Float(generator.next() % 7) }
      let sorted = values.sorted()
      for k in 0..<count {
        var scratch = values
        let selected = scratch.withUnsafeMutableBufferPointer {
          OrderStatistics.select($0.baseAddress!, count: count, k: k)
        }
        #expect(selected == sorted[k])
        #expect(scratch[..<k].allSatisfy { $0 <= selected })
        #expect(scratch[(k + 1)...].allSatisfy { $0 >= selected })
      }
    }
  }

  @Test func meanClosestToMedianByHand() {
    // Sorted: 0 1 2 3 10 50, median 2.5; the 3 closest are 1, 2, 3.
    var values: [Float] = [50, 3, 0, 10, 2, 1]
    let mean = values.withUnsafeMutableBufferPointer {
      OrderStatistics.meanClosestToMedian($0.baseAddress!, count: 6, kept: 3)
    }
    #expect(mean == 2)
  }
}
