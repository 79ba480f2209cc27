import Testing

@testable import Aggregation

/// Rule names and requirements.
struct AggregationRuleTests {
  @Test func configurationNames() {
    #expect(
      AggregationRuleKind.allCases.map(\.rawValue) == [
        "mean", "median", "trimmedmean", "krum", "multikrum", "bulyan", "geomedian",
        "centeredclip", "flame", "nnm", "bucketing", "clip",
      ])
    for kind in AggregationRuleKind.allCases {
      #expect((AggregationRule(kind: kind) == nil) == kind.isPreAggregation)
      if let rule = AggregationRule(kind: kind) { #expect(rule.kind == kind) }
    }
  }

  /// (rule, n, f, whether it can run).
  static let requirementCases: [(AggregationRule, Int, Int, Bool)] = [
    (.krum, 5, 1, true), (.krum, 4, 1, false), (.krum, 3, 0, true),
    (.multiKrum(selectionCount: nil), 7, 2, true), (.multiKrum(selectionCount: 8), 7, 0, false),
    (.bulyan, 7, 1, true), (.bulyan, 10, 2, false), (.bulyan, 11, 2, true),
    (.trimmedMean, 3, 1, true), (.trimmedMean, 2, 1, false), (.median, 4, 2, false),
    (.geometricMedian(GeometricMedianOptions()), 5, 2, true), (.mean, 5, 1, false),
    (.mean, 1, 0, true), (.flame(FLAMEOptions()), 4, 2, false),
    (.centeredClip(CenteredClipOptions()), 5, 2, true), (.median, 0, 0, false),
  ]

  @Test(arguments: requirementCases)
  func requirementsAreReportedCorrectly(
    rule: AggregationRule, updates: Int, byzantine: Int, canRun: Bool
  ) {
    let failure = rule.requirementFailure(updateCount: updates, byzantineCount: byzantine)
    #expect((failure == nil) == canRun, "\(rule.kind.rawValue) n=\(updates) f=\(byzantine)")
  }

  @Test func stageRequirementsAndCounts() {
    #expect(
      PreAggregationStage.nearestNeighborMixing.requirementFailure(
        updateCount: 4, byzantineCount: 2) != nil)
    #expect(
      PreAggregationStage.bucketing(size: 0).requirementFailure(updateCount: 4, byzantineCount: 0)
        != nil)
    #expect(
      PreAggregationStage.clipping(threshold: .nan).requirementFailure(
        updateCount: 4, byzantineCount: 0) != nil)
    let counts = PreAggregationStage.bucketing(size: 3).countsAfter(
      updateCount: 10, byzantineCount: 2)
    #expect(counts.updates == 4 && counts.byzantine == 2)
  }
}
