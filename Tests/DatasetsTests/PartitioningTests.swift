import Testing

@testable import Datasets

@Suite struct PartitioningTests {
  /// 1,000 samples of 10 classes, in a scrambled order.
  static let labels: [Int32] = (0..<1_000).map { index in Int32((index * 7 + index / 10) % 10) }
  static let kinds: [Partitioning] = [.iid, .dirichlet(alpha: 0.5), .shards(perPeer: 2)]

  static func classesPerPeer(_ peers: [[Int]], _ labels: [Int32]) -> [Int] {
    peers.map { Set($0.map { labels[$0] }).count }
  }

  @Test(arguments: kinds, [1, 3, 7, 10, 64])
  func everyIndexGoesToExactlyOnePeer(kind: Partitioning, peerCount: Int) throws {
    let peers = try kind.partition(
      labels: Self.labels, classCount: 10, peerCount: peerCount, seed: 1)
    #expect(peers.count == peerCount)
    #expect(peers.joined().sorted() == Array(0..<1_000))
    #expect(peers.allSatisfy { !$0.isEmpty })
    #expect(peers.allSatisfy { $0 == $0.sorted() })
  }

  @Test(arguments: kinds)
  func sameSeedGivesTheSamePartitionAndAnotherSeedAnother(kind: Partitioning) throws {
    func split(_ seed: UInt64) throws -> [[Int]] {
      try kind.partition(labels: Self.labels, classCount: 10, peerCount: 5, seed: seed)
    }
    #expect(try split(11) == split(11))
    #expect(try split(11) != split(12))
  }

  @Test(arguments: [1, 3, 7, 999, 1_000])
  func iidSizesDifferByAtMostOne(peerCount: Int) throws {
    let peers = try Partitioning.iid.partition(
      labels: Self.labels, classCount: 10, peerCount: peerCount, seed: 2)
    let sizes = peers.map { $0.count }
    #expect(sizes.max()! - sizes.min()! <= 1)
  }

  @Test func iidPeersSeeEveryClass() throws {
    let peers = try Partitioning.iid.partition(
      labels: Self.labels, classCount: 10, peerCount: 5, seed: 3)
    #expect(Self.classesPerPeer(peers, Self.labels).allSatisfy { $0 == 10 })
  }

  /// The inverse Simpson index of each peer's class fractions: 10 for a peer holding ten classes
  /// equally, 1 for a peer holding one class.
  static func effectiveClassesPerPeer(_ peers: [[Int]], _ labels: [Int32]) -> [Double] {
    peers.map { peer in
      var counts = [Double](repeating: 0, count: 10)
      for index in peer { counts[Int(labels[index])] += 1 }
      return 1 / counts.reduce(0) { $0 + ($1 / Double(peer.count)) * ($1 / Double(peer.count)) }
    }
  }

  @Test func smallAlphaSkewsClassesAndLargeAlphaDoesNot() throws {
    let labels: [Int32] = (0..<6_000).map { Int32($0 % 10) }
    func meanClasses(_ alpha: Double) throws -> (distinct: Double, effective: Double) {
      var distinct = 0.0
      var effective = 0.0
      for seed in UInt64(0)..<5 {
        let peers = try Partitioning.dirichlet(alpha: alpha).partition(
          labels: labels, classCount: 10, peerCount: 20, seed: seed)
        distinct += Double(Self.classesPerPeer(peers, labels).reduce(0, +)) / 100
        effective += Self.effectiveClassesPerPeer(peers, labels).reduce(0, +) / 100
      }
      return (distinct, effective)
    }
    let skewed = try meanClasses(0.1)
    let even = try meanClasses(100)
    // With alpha 0.1 a peer still receives a few stray samples of about half the classes, but
    // most of its data comes from one or two.
    #expect(skewed.distinct < 6)
    #expect(skewed.effective < 3)
    #expect(even.distinct > 9.9)
    #expect(even.effective > 9)
  }

  @Test func tinyAlphaLeavesNoPeerEmpty() throws {
    let labels: [Int32] = (0..<100).map { Int32($0 % 10) }
    for seed in UInt64(0)..<20 {
      let peers = try Partitioning.dirichlet(alpha: 0.01).partition(
        labels: labels, classCount: 10, peerCount: 50, seed: seed)
      #expect(peers.allSatisfy { !$0.isEmpty })
      #expect(peers.joined().sorted() == Array(0..<100))
    }
  }

  @Test func asManyPeersAsSamplesGivesOneSampleEach() throws {
    let labels: [Int32] = [0, 0, 0, 1, 1]
    for kind in [Partitioning.iid, .dirichlet(alpha: 0.1), .shards(perPeer: 1)] {
      let peers = try kind.partition(labels: labels, classCount: 2, peerCount: 5, seed: 4)
      #expect(peers.allSatisfy { $0.count == 1 })
    }
  }

  @Test func fillingEmptyPeersTakesFromTheLargest() {
    var peers = [[0, 1, 2, 3], [], [4], []]
    Partitioning.fillEmptyPeers(&peers)
    #expect(peers == [[0, 1], [3], [4], [2]])
  }

  @Test func shardsGiveEachPeerAtMostItsShardCountOfClasses() throws {
    // 6,000 samples in 40 shards of 150: each shard holds one class (600 samples = 4 shards).
    let labels: [Int32] = (0..<6_000).map { Int32($0 % 10) }
    let peers = try Partitioning.shards(perPeer: 2).partition(
      labels: labels, classCount: 10, peerCount: 20, seed: 5)
    #expect(peers.allSatisfy { $0.count == 300 })
    #expect(Self.classesPerPeer(peers, labels).allSatisfy { $0 <= 2 })
  }

  @Test func apportionSplitsByLargestRemainder() {
    #expect(Partitioning.apportion(10, [0.5, 0.5]) == [5, 5])
    #expect(Partitioning.apportion(10, [0.34, 0.33, 0.33]) == [4, 3, 3])
    #expect(Partitioning.apportion(7, [0.25, 0.25, 0.25, 0.25]) == [2, 2, 2, 1])
    #expect(Partitioning.apportion(0, [0.2, 0.8]) == [0, 0])
    #expect(Partitioning.apportion(3, [1.0 / 3, 1.0 / 3, 1.0 / 3]).reduce(0, +) == 3)
  }

  @Test(arguments: [
    (Partitioning.iid, 0, PartitionError.peerCountOutOfRange(peerCount: 0, limit: 65_536)),
    (.iid, -3, .peerCountOutOfRange(peerCount: -3, limit: 65_536)),
    (.iid, 65_537, .peerCountOutOfRange(peerCount: 65_537, limit: 65_536)),
    (.iid, 1_001, .morePeersThanSamples(peerCount: 1_001, sampleCount: 1_000)),
    (.dirichlet(alpha: 0), 2, .alphaNotPositive(0)),
    (.dirichlet(alpha: -1), 2, .alphaNotPositive(-1)),
    (.dirichlet(alpha: .infinity), 2, .alphaNotPositive(.infinity)),
    (.shards(perPeer: 0), 2, .shardsPerPeerNotPositive(0)),
    (.shards(perPeer: 501), 2, .moreShardsThanSamples(shardCount: 1_002, sampleCount: 1_000)),
    (.shards(perPeer: .max), 2, .moreShardsThanSamples(shardCount: .max, sampleCount: 1_000)),
  ])
  func invalidRequestsThrowTypedErrors(
    kind: Partitioning, peerCount: Int, error: PartitionError
  ) {
    #expect(throws: error) {
      try kind.partition(labels: Self.labels, classCount: 10, peerCount: peerCount, seed: 0)
    }
  }

  @Test func notANumberAlphaThrows() {
    #expect {
      try Partitioning.dirichlet(alpha: .nan).partition(
        labels: Self.labels, classCount: 10, peerCount: 2, seed: 0)
    } throws: { error in
      guard case .alphaNotPositive(let alpha) = error as? PartitionError else { return false }
      return alpha.isNaN
    }
  }

  @Test func labelsOutsideTheClassesThrow() {
    #expect(throws: PartitionError.labelOutOfRange(index: 2, label: 10, classCount: 10)) {
      try Partitioning.iid.partition(labels: [0, 1, 10], classCount: 10, peerCount: 1, seed: 0)
    }
    #expect(throws: PartitionError.labelOutOfRange(index: 0, label: -1, classCount: 10)) {
      try Partitioning.iid.partition(labels: [-1], classCount: 10, peerCount: 1, seed: 0)
    }
  }

  @Test func classCountOutsideItsBoundsThrows() {
    #expect(throws: PartitionError.classCountOutOfRange(classCount: 0, limit: 65_536)) {
      try Partitioning.iid.partition(labels: [0], classCount: 0, peerCount: 1, seed: 0)
    }
  }
}
