/// Why sample indices cannot be split across peers as asked.
public enum PartitionError: Error, Equatable, Sendable {
  /// The peer count is below 1 or above `Partitioning.peerCountMax`.
  case peerCountOutOfRange(peerCount: Int, limit: Int)
  /// Fewer samples than peers: some peer would get nothing.
  case morePeersThanSamples(peerCount: Int, sampleCount: Int)
  /// The class count is below 1 or above `Partitioning.classCountMax`.
  case classCountOutOfRange(classCount: Int, limit: Int)
  /// Sample `index` has a label outside `0..<classCount`.
  case labelOutOfRange(index: Int, label: Int32, classCount: Int)
  /// The Dirichlet concentration is not a finite positive number.
  case alphaNotPositive(Double)
  /// The shards per peer are fewer than 1.
  case shardsPerPeerNotPositive(Int)
  /// More shards than samples: some shard would be empty.
  case moreShardsThanSamples(shardCount: Int, sampleCount: Int)
}

extension PartitionError: CustomStringConvertible {
  public var description: String {
    switch self {
    case .peerCountOutOfRange(let peerCount, let limit):
      return "peer count \(peerCount) is not in 1...\(limit)"
    case .morePeersThanSamples(let peerCount, let sampleCount):
      return "\(peerCount) peers but only \(sampleCount) samples"
    case .classCountOutOfRange(let classCount, let limit):
      return "class count \(classCount) is not in 1...\(limit)"
    case .labelOutOfRange(let index, let label, let classCount):
      return "sample \(index) has label \(label), not in 0..<\(classCount)"
    case .alphaNotPositive(let alpha):
      return "Dirichlet alpha \(alpha) must be finite and positive"
    case .shardsPerPeerNotPositive(let count):
      return "\(count) shards per peer: at least 1 is needed"
    case .moreShardsThanSamples(let shardCount, let sampleCount):
      return "\(shardCount) shards but only \(sampleCount) samples"
    }
  }
}
