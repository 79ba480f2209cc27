import Tensors
import Testing

@testable import Aggregation

/// The pipeline: stages, rule fallback, report.
struct AggregationPipelineTests {
  @Test func fallsBackToTheFirstRunnableRuleAndSaysWhy() throws {
    let pipeline = AggregationPipeline(rules: [.krum, .bulyan, .median])
    var generator = SeededGenerator(seed: 1)
    let updates = makeUpdates([[1], [2], [3], [100]])
    let result = try pipeline.aggregate(updates, tolerating: 1, generator: &generator)
    #expect(result.values == [2.5])
    #expect(result.report.rule == .median)
    #expect(result.report.skippedRules.count == 2)
    #expect(result.report.skippedRules[0].contains("krum needs n >= 2f + 3"))
  }

  @Test func noRunnableRuleIsAnError() {
    let pipeline = AggregationPipeline(rules: [.krum])
    var generator = SeededGenerator(seed: 1)
    #expect(throws: AggregationError.self) {
      try pipeline.aggregate(makeUpdates([[1], [2]]), tolerating: 1, generator: &generator)
    }
  }

  @Test func stagesRunInOrderAndChangeTheCounts() throws {
    let pipeline = AggregationPipeline(
      stages: [.clipping(threshold: 10), .bucketing(size: 2)], rules: [.krum, .median])
    var generator = SeededGenerator(seed: 2)
    let updates = makeUpdates([[1], [2], [3], [4], [500], [6]])
    let result = try pipeline.aggregate(updates, tolerating: 1, generator: &generator)
    #expect(result.report.stages == [.clipping, .bucketing])
    #expect(result.report.clippedSenders == [4])
    #expect(result.report.ruleInputCount == 3)
    #expect(result.report.rule == .median)
    #expect(result.values[0] <= 6)
  }

  @Test func flameReportsItsAcceptedSenders() throws {
    var generator = SeededGenerator(seed: 3)
    let dimension = 500
    let benign = (0..<dimension).map { Float($0 % 3) }
    let attack = (0..<dimension).map { Float($0 % 3 == 0 ? 5 : -5) }
    var updates = honestUpdates(count: 7, center: benign, spread: 0.1, generator: &generator)
    updates += (0..<3).map { Update(values: attack, sender: 7 + $0) }
    let pipeline = AggregationPipeline(rules: [.flame(FLAMEOptions())])
    let result = try pipeline.aggregate(updates, tolerating: 3, generator: &generator)
    #expect(result.report.rejectedSenders.contains(7))
    #expect(result.report.acceptedSenders?.allSatisfy { $0 < 7 } == true)
    #expect(result.report.description.contains("rule flame"))
  }

  @Test func centeredClipGetsThePreviousAggregate() throws {
    var generator = SeededGenerator(seed: 4)
    let pipeline = AggregationPipeline(
      rules: [.centeredClip(CenteredClipOptions(radius: 1, iterations: 1))])
    let result = try pipeline.aggregate(
      makeUpdates([[0], [2], [4]]), tolerating: 1, previousAggregate: [1], generator: &generator)
    #expect(isClose(result.values, [4.0 / 3]))
  }
}
