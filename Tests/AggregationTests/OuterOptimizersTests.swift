import Testing

@testable import Aggregation

/// Outer optimizers at the coordinator, by hand.
struct OuterOptimizersTests {
  /// An optimizer restored from another's `state` goes on bit for bit as the other does (what
  /// a new coordinator and every checking council member rely on); FedAvg keeps none, and a
  /// vector no such optimizer returns is refused.
  @Test(arguments: ["fedavg", "fedavgm", "nesterov", "adam", "yogi"])
  func aRestoredStateGoesOnBitForBit(kind: String) throws {
    func make() -> any OuterOptimizer {
      switch kind {
      case "fedavg": FedAvgOptimizer(learningRate: 0.7)
      case "fedavgm": FedAvgMOptimizer(learningRate: 1, momentum: 0.9)
      case "nesterov": NesterovOuterOptimizer()
      case "adam": FedAdaptiveOptimizer(variant: .adam)
      default: FedAdaptiveOptimizer(variant: .yogi)
      }
    }
    let deltas: [[Float]] = [[0.5, -1, 2], [0.25, 0.125, -3], [-1, 1, 0.5], [2, -2, 0]]
    var original = make()
    var model: [Float] = [1, 2, 3]
    try original.step(model: &model, aggregatedDelta: deltas[0])
    try original.step(model: &model, aggregatedDelta: deltas[1])
    var restored = make()
    try restored.restore(state: original.state)
    var copy = model
    for delta in deltas[2...] {
      try original.step(model: &model, aggregatedDelta: delta)
      try restored.step(model: &copy, aggregatedDelta: delta)
    }
    #expect(copy.map(\.bitPattern) == model.map(\.bitPattern))
    #expect(restored.state.map(\.bitPattern) == original.state.map(\.bitPattern))
    let perValue = ["fedavg": 0, "adam": 2, "yogi": 2][kind] ?? 1
    #expect(original.state.count == perValue * model.count)
    var fresh = make()
    if kind == "fedavg" || kind == "adam" || kind == "yogi" {
      #expect(throws: AggregationError.self) { try fresh.restore(state: [1, 2, 3]) }
    }
  }

  @Test func fedAvgAddsTheDelta() throws {
    var optimizer = FedAvgOptimizer()
    var model: [Float] = [1, 2]
    try optimizer.step(model: &model, aggregatedDelta: [0.5, -1])
    #expect(model == [1.5, 1])
  }

  @Test func fedAvgMAccumulatesMomentum() throws {
    var optimizer = FedAvgMOptimizer(learningRate: 1, momentum: 0.9)
    var model: [Float] = [0]
    try optimizer.step(model: &model, aggregatedDelta: [1])
    try optimizer.step(model: &model, aggregatedDelta: [1])
    #expect(isClose(model, [2.9]))
  }

  @Test func fedAdamAndFedYogiFirstStep() throws {
    let (tau, learningRate): (Float, Float) = (1e-3, 0.01)
    var adam = FedAdaptiveOptimizer(variant: .adam)
    var model: [Float] = [0]
    try adam.step(model: &model, aggregatedDelta: [1])
    let adamSecond = 0.99 * tau * tau + 0.01
    #expect(isClose(model, [learningRate * 0.1 / (adamSecond.squareRoot() + tau)], tolerance: 1e-7))
    var yogi = FedAdaptiveOptimizer(variant: .yogi)
    model = [0]
    try yogi.step(model: &model, aggregatedDelta: [1])
    let yogiSecond = tau * tau + 0.01
    #expect(isClose(model, [learningRate * 0.1 / (yogiSecond.squareRoot() + tau)], tolerance: 1e-7))
    // Yogi's second moment shrinks additively when the squared delta falls below it.
    try yogi.step(model: &model, aggregatedDelta: [0])
    #expect(isClose(yogi.secondMoment, [yogiSecond], tolerance: 1e-7))
  }

  @Test func nesterovFollowsDiLoCo() throws {
    var optimizer = NesterovOuterOptimizer(learningRate: 0.7, momentum: 0.9)
    var model: [Float] = [0]
    // g = -1, m = -1, model -= 0.7 * (-1 + 0.9 * -1) = +1.33.
    try optimizer.step(model: &model, aggregatedDelta: [1])
    #expect(isClose(model, [1.33]))
  }

  @Test func mismatchedLengthsAreErrors() {
    var optimizer = FedAvgMOptimizer()
    var model: [Float] = [0, 0]
    #expect(throws: AggregationError.self) {
      try optimizer.step(model: &model, aggregatedDelta: [1])
    }
    #expect(throws: AggregationError.self) {
      try optimizer.step(model: &model, aggregatedDelta: [1, .nan])
    }
  }
}
