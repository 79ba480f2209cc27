import Testing

@testable import Privacy

@Test("A budget charges steps until the next one would exceed it, then says why it stopped")
func budgetStopsBeforeOverspending() {
  var budget = PrivacyBudget(epsilonBudget: 1.0, delta: 1e-5)
  var charged = 0
  var stopReason: PrivacyError?
  for _ in 0..<100_000 {
    do {
      try budget.spend(samplingRate: 0.01, noiseMultiplier: 1.0)
      charged += 1
    } catch {
      stopReason = error
      break
    }
  }
  #expect(charged > 0)
  #expect(budget.spentEpsilon <= 1.0)
  #expect(budget.accountant.stepCount == charged)
  guard case .budgetExhausted(let spent, let projected, let limit)? = stopReason else {
    Issue.record("no typed exhaustion reason")
    return
  }
  #expect(spent == budget.spentEpsilon && projected > 1.0 && limit == 1.0)
  #expect(!budget.canSpend(samplingRate: 0.01, noiseMultiplier: 1.0))
  #expect(stopReason!.description.contains("privacy budget exhausted"))
}

@Test("affordableSteps agrees with charging one step at a time")
func affordableStepsMatchesCharging() {
  let budget = PrivacyBudget(epsilonBudget: 2.0, delta: 1e-5)
  let affordable = budget.affordableSteps(
    samplingRate: 0.02, noiseMultiplier: 1.2, limit: 1_000_000)
  var copy = budget
  #expect(throws: Never.self) {
    try copy.spend(steps: affordable, samplingRate: 0.02, noiseMultiplier: 1.2)
  }
  #expect(!copy.canSpend(samplingRate: 0.02, noiseMultiplier: 1.2))
  #expect(copy.remainingEpsilon >= 0)
}
