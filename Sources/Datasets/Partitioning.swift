import Tensors

/// How a dataset's samples are split across the peers of a federation.
///
/// Every method is a pure function of the labels, the peer count and the seed: each peer can
/// compute the whole partition itself and take its own part, and the same seed gives the same
/// partition on every machine (the shuffles and draws are Starling's own, see
/// `SeededGenerator.shuffle`). Each sample index goes to exactly one peer; each peer's indices
/// are returned in increasing order.
public enum Partitioning: Sendable, Equatable {
  /// Shuffled and dealt out evenly: peer sizes differ by at most one, classes as in the whole.
  case iid
  /// Label skew: for each class, proportions over peers drawn from a symmetric
  /// Dirichlet(`alpha`). A small alpha (0.1) gives each peer few classes; a large one (100) is
  /// close to IID.
  case dirichlet(alpha: Double)
  /// The pathological split of McMahan et al. (2017): samples sorted by label and cut into
  /// `peerCount × perPeer` equal shards, each peer getting `perPeer` shards at random.
  case shards(perPeer: Int)

  /// Largest accepted peer count.
  public static let peerCountMax = 1 << 16
  /// Largest accepted class count.
  public static let classCountMax = 1 << 16

  /// The sample indices of each of `peerCount` peers.
  ///
  /// For `.dirichlet`, a draw can give a peer no sample at all. When that happens (and there are
  /// at least as many samples as peers, which is required), each empty peer receives one sample
  /// taken from the peer holding the most: at most `peerCount - 1` samples move, which keeps the
  /// skew while making every peer able to train.
  ///
  /// - Throws: `PartitionError` when the counts or labels make the request impossible.
  /// - Complexity: O(`labels.count` log `labels.count` + `classCount` × `peerCount`).
  public func partition(
    labels: [Int32], classCount: Int, peerCount: Int, seed: UInt64
  ) throws(PartitionError) -> [[Int]] {
    try Self.validate(labels: labels, classCount: classCount, peerCount: peerCount)
    var generator = SeededGenerator(seed: seed)
    var peers: [[Int]]
    switch self {
    case .iid:
      peers = Self.independent(labels.count, peerCount, &generator)
    case .dirichlet(let alpha):
      guard alpha > 0 && alpha.isFinite else { throw .alphaNotPositive(alpha) }
      peers = Self.dirichlet(labels, classCount, peerCount, alpha, &generator)
      Self.fillEmptyPeers(&peers)
    case .shards(let perPeer):
      guard perPeer >= 1 else { throw .shardsPerPeerNotPositive(perPeer) }
      guard perPeer <= labels.count / peerCount else {
        let shardCount = peerCount.multipliedReportingOverflow(by: perPeer)
        throw .moreShardsThanSamples(
          shardCount: shardCount.overflow ? Int.max : shardCount.partialValue,
          sampleCount: labels.count)
      }
      peers = Self.shards(labels, classCount, peerCount, perPeer, &generator)
    }
    return peers.map { $0.sorted() }
  }

  private static func validate(
    labels: [Int32], classCount: Int, peerCount: Int
  ) throws(PartitionError) {
    guard peerCount >= 1 && peerCount <= peerCountMax else {
      throw .peerCountOutOfRange(peerCount: peerCount, limit: peerCountMax)
    }
    guard classCount >= 1 && classCount <= classCountMax else {
      throw .classCountOutOfRange(classCount: classCount, limit: classCountMax)
    }
    if let index = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
      throw .labelOutOfRange(index: index, label: labels[index], classCount: classCount)
    }
    guard peerCount <= labels.count else {
      throw .morePeersThanSamples(peerCount: peerCount, sampleCount: labels.count)
    }
  }

  private static func independent(
    _ sampleCount: Int, _ peerCount: Int, _ generator: inout SeededGenerator
  ) -> [[Int]] {
    var order = Array(0..<sampleCount)
    generator.shuffle(&order)
    return (0..<peerCount).map { peer in
      Array(order[sampleCount * peer / peerCount..<sampleCount * (peer + 1) / peerCount])
    }
  }

  private static func dirichlet(
    _ labels: [Int32], _ classCount: Int, _ peerCount: Int, _ alpha: Double,
    _ generator: inout SeededGenerator
  ) -> [[Int]] {
    var peers = [[Int]](repeating: [], count: peerCount)
    for var members in indicesByClass(labels, classCount) {
      generator.shuffle(&members)
      let proportions = generator.dirichletSample(alpha: alpha, count: peerCount)
      var start = 0
      for (peer, count) in apportion(members.count, proportions).enumerated() {
        peers[peer] += members[start..<start + count]
        start += count
      }
    }
    return peers
  }

  /// Gives each empty peer one sample from the largest peer.
  ///
  /// Terminates within `peerCount` moves: with at least as many samples as peers and one peer
  /// empty, the largest peer holds at least two samples, so it never becomes empty itself.
  static func fillEmptyPeers(_ peers: inout [[Int]]) {
    for empty in peers.indices where peers[empty].isEmpty {
      let donor = peers.indices.max { peers[$0].count < peers[$1].count }!
      guard peers[donor].count >= 2 else { return }
      peers[empty].append(peers[donor].removeLast())
    }
  }

  private static func shards(
    _ labels: [Int32], _ classCount: Int, _ peerCount: Int, _ perPeer: Int,
    _ generator: inout SeededGenerator
  ) -> [[Int]] {
    var order = Array(labels.indices)
    generator.shuffle(&order)
    let sortedByLabel = indicesByClass(order.map { labels[$0] }, classCount).flatMap { positions in
      positions.map { order[$0] }
    }
    let shardCount = peerCount * perPeer
    var shardOrder = Array(0..<shardCount)
    generator.shuffle(&shardOrder)
    let sampleCount = labels.count
    return (0..<peerCount).map { peer in
      shardOrder[peer * perPeer..<(peer + 1) * perPeer].flatMap { shard in
        sortedByLabel[sampleCount * shard / shardCount..<sampleCount * (shard + 1) / shardCount]
      }
    }
  }

  /// The positions of each class's samples, in increasing order.
  private static func indicesByClass(_ labels: [Int32], _ classCount: Int) -> [[Int]] {
    var byClass = [[Int]](repeating: [], count: classCount)
    for (index, label) in labels.enumerated() { byClass[Int(label)].append(index) }
    return byClass
  }

  /// Splits `total` items into whole counts as close as possible to `total × proportions`
  /// (largest remainder: floors first, then one more to the largest fractional parts, ties to
  /// the lower index). The counts sum to `total`.
  static func apportion(_ total: Int, _ proportions: [Double]) -> [Int] {
    let quotas = proportions.map { Double(total) * $0 }
    var counts = quotas.map { min(total, Int($0.rounded(.down))) }
    var remaining = total - counts.reduce(0, +)
    let byRemainder = quotas.indices.sorted { first, second in
      let a = quotas[first] - Double(counts[first])
      let b = quotas[second] - Double(counts[second])
      return a != b ? a > b : first < second
    }
    var position = 0
    while remaining > 0 {
      counts[byRemainder[position % byRemainder.count]] += 1
      remaining -= 1
      position += 1
    }
    // Rounding can leave the floors summing above `total` by a hair; take back from the largest.
    while remaining < 0, let largest = counts.indices.max(by: { counts[$0] < counts[$1] }) {
      counts[largest] -= 1
      remaining += 1
    }
    return counts
  }
}
