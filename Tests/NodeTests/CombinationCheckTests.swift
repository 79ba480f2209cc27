import Coordination
import Testing
import Wire

@testable import Node

/// `CombinationCheck.check`: a council member's recomputation of a published model from the
/// partials it holds, the note's seed against the round's commitment, and the tolerance.
@Suite struct CombinationCheckTests {
  let first = PeerID(simulatedIndex: 1)
  let second = PeerID(simulatedIndex: 2)
  let base: [Float] = [1, 2, 3, 4]
  let firstValues: [Float] = [2, 2, 2, 2]
  let secondValues: [Float] = [0, 4, 0, 4]

  /// Round 1 over `base` with both partials received, its start committed to `seed`, and the
  /// note of the model `combine` gives.
  func check(seed: UInt64 = 7, noteSeed: UInt64 = 7, outerState: [Float] = [])
    -> (CombinationCheck, [Float], Digest)
  {
    var check = CombinationCheck()
    check.partials[1] = [
      first: (1, firstValues, Digest.of(values: firstValues), []),
      second: (1, secondValues, Digest.of(values: secondValues), []),
    ]
    check.starts[1] = (
      Digest.of(values: base), Digest.combinationSeedCommitment(round: 1, seed: seed)
    )
    let model = mean(
      [
        RoundCoordinator.Partial(aggregator: first, weight: 1, values: firstValues),
        RoundCoordinator.Partial(aggregator: second, weight: 1, values: secondValues),
      ], seed: noteSeed)
    let digest = Digest.of(values: model)
    check.notes[digest] = (
      1, [first, second], [Digest.of(values: firstValues), Digest.of(values: secondValues)],
      noteSeed, outerState
    )
    return (check, model, digest)
  }

  func mean(_ partials: [RoundCoordinator.Partial], seed: UInt64) -> [Float] {
    RoundCoordinator.meanCombination(base: base, partials: partials.map { ($0.weight, $0.values) })
  }

  /// The check of `published` (under its own digest, with the note of the model `digest`);
  /// `combine` gives the mean, and `recomputedState` as the outer optimizer's state after it.
  func outcome(
    _ check: CombinationCheck, published: [Float], as digest: Digest, usesSeed: Bool = true,
    baseState: [Float] = [], recomputedState: [Float] = []
  ) -> CombinationCheck.Outcome {
    var check = check
    let publishedDigest = Digest.of(values: published)
    check.notes[publishedDigest] = check.notes[digest]
    return check.check(
      round: 1, digest: publishedDigest, values: published, base: base,
      baseDigest: Digest.of(values: base), baseState: baseState, usesSeed: usesSeed,
      combine: { (mean($0, seed: $1), recomputedState) })
  }

  /// The outer optimizer's state in the note must be the member's recomputation of it from the
  /// committed state: the same bits or within the tolerance of its change pass; another state,
  /// or none where the step keeps one, is a forgery even when the model itself is right.
  @Test func anOuterStateOtherThanTheRecomputedOneIsForged() {
    let baseState: [Float] = [1, 1, 1, 1]
    let state: [Float] = [2, 1, 0, 1]
    var close = state
    close[2] += 5e-6
    for (noted, expected) in [(state, true), (close, true), ([3, 1, 0, 1], false), ([], false)] {
      let (check, model, digest) = check(outerState: noted)
      let result = outcome(
        check, published: model, as: digest, baseState: baseState, recomputedState: state)
      #expect((result == .reproduced) == expected, "state \(noted)")
      if !expected, case .forged(let evidence) = result {
        #expect(evidence.contains("outer optimizer's state"))
      }
    }
  }

  @Test func theSameBitsAreReproduced() {
    let (check, model, digest) = check()
    #expect(outcome(check, published: model, as: digest) == .reproduced)
  }

  /// Within 1e-5 of the largest change (here 1) passes; 1e-3 is a forgery.
  @Test func aModelWithinTheToleranceIsReproducedAndOneBeyondIsForged() {
    let (check, model, digest) = check()
    var close = model
    close[0] += 5e-6
    #expect(outcome(check, published: close, as: digest) == .reproduced)
    var far = model
    far[0] += 1e-3
    guard case .forged(let evidence) = outcome(check, published: far, as: digest) else {
      Issue.record("a model 1e-3 away was not refused")
      return
    }
    #expect(evidence.contains("is not the combination of the partials"))
    var broken = model
    broken[1] = .nan
    #expect(outcome(check, published: broken, as: digest) != .reproduced)
  }

  /// A seed other than the one the start committed to is a forgery when the combination uses
  /// one; the built-in mean ignores the seed.
  @Test func aSeedThatIsNotTheCommittedOneIsForged() {
    let (check, model, digest) = check(seed: 7, noteSeed: 8)
    guard case .forged(let evidence) = outcome(check, published: model, as: digest) else {
      Issue.record("a revealed seed against the commitment was not refused")
      return
    }
    #expect(evidence.contains("committed to"))
    #expect(outcome(check, published: model, as: digest, usesSeed: false) == .reproduced)
  }

  /// A partial the note names but this member lacks (or holds with other values) makes the model
  /// wait, and is what the member asks the coordinator for.
  @Test func aMissingPartialWaitsAndIsListed() {
    var (check, model, digest) = check()
    check.partials[1]![second] = nil
    #expect(outcome(check, published: model, as: digest) == .waiting)
    #expect(check.missingPartials(for: digest) == [second])
    check.partials[1]![second] = (1, firstValues, Digest.of(values: firstValues), [])
    #expect(outcome(check, published: model, as: digest) == .waiting)
    #expect(check.missingPartials(for: digest) == [second])
  }
}
