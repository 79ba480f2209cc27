import Tensors
import Testing

@testable import Aggregation

/// The sorting network against sorting, lane by lane.
struct SortingNetworkTests {
  @Test(arguments: [1, 2, 3, 7, 16, 17, 50, 100, 101, 128])
  func sortsEveryLane(count: Int) {
    var generator = SeededGenerator(seed: UInt64(count))
    let network = SortingNetwork(count: count)
    let vectors = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: count)
    defer { vectors.deallocate() }
    for _ in 0..<5 {
      // Few distinct values, so ties are common.
      for index in 0..<count {
        vectors[index] = SIMD16<Float>((0..<16).map { _ in Float(generator.next() % 9) })
      }
      let expected = (0..<16).map { lane in (0..<count).map { vectors[$0][lane] }.sorted() }
      network.sort(vectors)
      for lane in 0..<16 {
        #expect((0..<count).map { vectors[$0][lane] } == expected[lane])
      }
    }
  }

  @Test func meanClosestToMedianByHand() {
    // Sorted: 0 1 2 3 10 50, median 2.5; the 3 closest are 1, 2, 3.
    let values: [Float] = [0, 1, 2, 3, 10, 50]
    let vectors = values.map { SIMD16<Float>(repeating: $0) }
    var copy = vectors
    let mean = copy.withUnsafeMutableBufferPointer {
      AggregationRules.meanClosestToMedian($0.baseAddress!, count: 6, kept: 3)
    }
    #expect(mean == SIMD16<Float>(repeating: 2))
  }
}
