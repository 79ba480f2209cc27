import Testing

@testable import Aggregation

/// Client-side worker momentum.
struct WorkerMomentumTests {
  @Test func momentumByHand() {
    var momentum = WorkerMomentum(beta: 0.5)
    #expect(momentum.apply(to: [2, 4]) == [2, 4])
    #expect(momentum.apply(to: [0, 8]) == [1, 6])
    #expect(momentum.apply(to: [1, 0]) == [1, 3])
  }
}
