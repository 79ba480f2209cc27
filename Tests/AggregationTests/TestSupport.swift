import Tensors

@testable import Aggregation

/// Updates built from rows of values, senders 0, 1, 2...
func makeUpdates(_ rows: [[Float]], weights: [Float]? = nil) -> [Update] {
  rows.enumerated().map { index, values in
    Update(values: values, weight: weights?[index] ?? 1, sender: index)
  }
}

/// `count` honest updates scattered around `center` with standard deviation `spread`.
func honestUpdates(
  count: Int, center: [Float], spread: Float, generator: inout SeededGenerator
) -> [Update] {
  (0..<count).map { index in
    Update(values: center.map { $0 + spread * generator.nextNormal() }, sender: index)
  }
}

/// The L2 distance between two vectors.
func distance(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
}

/// Whether two vectors agree within `tolerance` in every coordinate.
func isClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-4) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// The plain mean of some updates.
func plainMean(_ updates: [Update]) -> [Float] {
  var sum = [Float](repeating: 0, count: updates[0].values.count)
  for update in updates {
    for index in sum.indices { sum[index] += update.values[index] }
  }
  return sum.map { $0 / Float(updates.count) }
}

/// A seeded permutation of `updates`.
func shuffled(_ updates: [Update], seed: UInt64) -> [Update] {
  var generator = SeededGenerator(seed: seed)
  return updates.shuffled(using: &generator)
}
