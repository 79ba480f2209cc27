import Tensors
import Testing

@testable import Aggregation

/// FLAME.
struct FLAMETests {
  /// 14 benign updates around one direction and 6 poisoned ones around an orthogonal direction.
  func mixedRound(generator: inout SeededGenerator) -> [Update] {
    let dimension = 2_000
    let benign = (0..<dimension).map { Float($0 % 7) - 3 }
    let poisoned = (0..<dimension).map { $0 % 2 == 0 ? Float(1) : -1 }
    var updates = honestUpdates(count: 14, center: benign, spread: 0.5, generator: &generator)
    for index in 0..<6 {
      let values = poisoned.map { 2 * $0 + 0.05 * generator.nextNormal() }
      updates.append(Update(values: values, sender: 14 + index))
    }
    return updates
  }

  @Test func rejectsACosineDissimilarCluster() throws {
    var generator = SeededGenerator(seed: 41)
    let updates = mixedRound(generator: &generator)
    let outcome = try AggregationRules.flame(updates, generator: &generator)
    #expect(!outcome.acceptedIndices.isEmpty)
    #expect(outcome.acceptedIndices.allSatisfy { $0 < 14 })
    #expect(outcome.acceptedIndices.count >= 11)
  }

  @Test func clipsToTheMedianNormAndAddsSeededNoise() throws {
    // Three updates along (1, 0) with norms 1, 2, 3 and one along (0.9, 0.1) with norm 3.62.
    // The single cluster keeps the points still together when it dissolves, here the three
    // identical directions; the bound is the median of all four norms, (2 + 3) / 2.
    let updates = makeUpdates([[1, 0], [2, 0], [3, 0], [3.6, 0.4]])
    var quiet = SeededGenerator(seed: 1)
    let noiseless = try AggregationRules.flame(
      updates, options: FLAMEOptions(noiseLevel: 0), generator: &quiet)
    #expect(noiseless.acceptedIndices == [0, 1, 2])
    let bound = Float(2.5)
    #expect(abs(noiseless.clippingBound - bound) < 1e-5)
    #expect(isClose(noiseless.values, [(1 + 2 + bound) / 3, 0]))
    #expect(noiseless.clippedIndices == [2])
    var first = SeededGenerator(seed: 7)
    var second = SeededGenerator(seed: 7)
    let noisy = try AggregationRules.flame(updates, generator: &first)
    #expect(noisy == (try AggregationRules.flame(updates, generator: &second)))
    #expect(noisy.noiseStandardDeviation == 0.001 * bound)
  }

  /// An accepted update is clipped to the median norm S, so the aggregate's norm stays at most S
  /// plus the noise, whatever one update's size.
  @Test func hugeUpdateIsRejectedOrClipped() throws {
    var generator = SeededGenerator(seed: 42)
    let center = (0..<1_000).map { Float($0 % 5) }
    var updates = honestUpdates(count: 10, center: center, spread: 0.2, generator: &generator)
    updates.append(Update(values: center.map { $0 * 1e12 }, sender: 10))
    let outcome = try AggregationRules.flame(
      updates, options: FLAMEOptions(noiseLevel: 0), generator: &generator)
    let norm = distance(outcome.values, [Float](repeating: 0, count: 1_000))
    #expect(norm <= outcome.clippingBound * 1.0001)
    #expect(
      distance(outcome.values, plainMean(Array(updates.prefix(10)))) < outcome.clippingBound * 0.1)
  }

  @Test func permutationInvariantWithoutNoise() throws {
    var generator = SeededGenerator(seed: 43)
    let updates = mixedRound(generator: &generator)
    let options = FLAMEOptions(noiseLevel: 0)
    let direct = try AggregationRules.flame(updates, options: options, generator: &generator)
    let permuted = try AggregationRules.flame(
      shuffled(updates, seed: 5), options: options, generator: &generator)
    #expect(isClose(direct.values, permuted.values))
  }
}

/// FLAME over local models (`globalModel + update`), as in the paper's Algorithm 1.
struct FLAMELocalModelTests {
  @Test func theLocalModelsGramMatrixComesFromTheUpdatesOne() {
    var generator = SeededGenerator(seed: 5)
    let rows = (0..<4).map { _ in (0..<37).map { _ in generator.nextNormal() } }
    let global = (0..<37).map { _ in 3 * generator.nextNormal() }
    let updateGram = (0..<4).flatMap { i in (0..<4).map { j in RowKernels.dot(rows[i], rows[j]) } }
    let models = rows.map { zip($0, global).map { $0 + $1 } }
    let gram = AggregationRules.modelGram(updateGram, rows: rows, globalModel: global)
    for i in 0..<4 {
      for j in 0..<4 {
        let direct = RowKernels.dot(models[i], models[j])
        #expect(abs(gram[i * 4 + j] - direct) < 1e-3 * max(1, abs(direct)))
      }
    }
    #expect(AggregationRules.modelGram(updateGram, rows: rows, globalModel: nil) == updateGram)
  }

  /// Honest updates point in scattered directions (non-IID shards) with small norms; a scaled
  /// backdoor update is long. Between updates every angle is wide, so the cosine clustering
  /// cannot tell them apart; between local models the long update stands out.
  @Test func aLongUpdateStandsOutAmongLocalModels() throws {
    var generator = SeededGenerator(seed: 9)
    let dimension = 400
    let global = (0..<dimension).map { _ in generator.nextNormal() }
    var updates = (0..<9).map { index in
      Update(values: (0..<dimension).map { _ in 0.02 * generator.nextNormal() }, sender: index)
    }
    for index in 0..<3 {
      let direction = (0..<dimension).map { $0 % 3 == 0 ? Float(0.3) : 0 }
      updates.append(
        Update(
          values: direction.map { $0 + 0.002 * generator.nextNormal() }, sender: 9 + index))
    }
    let outcome = try AggregationRules.flame(
      updates, globalModel: global, options: FLAMEOptions(noiseLevel: 0), generator: &generator)
    #expect(outcome.acceptedIndices.allSatisfy { $0 < 9 })
    #expect(outcome.acceptedIndices.count >= 7)
    let overUpdates = try AggregationRules.flame(
      updates, options: FLAMEOptions(noiseLevel: 0), generator: &generator)
    // Over the updates themselves, the three near-identical long updates are the densest group
    // and are kept, with honest ones dropped.
    #expect(overUpdates.acceptedIndices.contains(9))
  }

  @Test func aGlobalModelOfTheWrongLengthIsRefused() {
    var generator = SeededGenerator(seed: 1)
    let updates = makeUpdates([[1, 0], [0, 1], [1, 1]])
    #expect(throws: AggregationError.self) {
      try AggregationRules.flame(updates, globalModel: [1, 2, 3], generator: &generator)
    }
  }
}
