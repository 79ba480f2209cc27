import Testing

@testable import Datasets

@Suite struct PartitionErrorTests {
  @Test(arguments: [
    (
      PartitionError.peerCountOutOfRange(peerCount: 0, limit: 65_536),
      "peer count 0 is not in 1...65536"
    ),
    (.morePeersThanSamples(peerCount: 5, sampleCount: 3), "5 peers but only 3 samples"),
    (.classCountOutOfRange(classCount: 0, limit: 9), "class count 0 is not in 1...9"),
    (.labelOutOfRange(index: 4, label: 12, classCount: 10), "sample 4 has label 12, not in 0..<10"),
    (.alphaNotPositive(-0.5), "Dirichlet alpha -0.5 must be finite and positive"),
    (.shardsPerPeerNotPositive(0), "0 shards per peer: at least 1 is needed"),
    (.moreShardsThanSamples(shardCount: 40, sampleCount: 30), "40 shards but only 30 samples"),
  ])
  func descriptionStatesTheProblemWithItsNumbers(error: PartitionError, text: String) {
    #expect(error.description == text)
  }
}
