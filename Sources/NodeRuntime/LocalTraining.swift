/// What a node trains and evaluates with; called on the node's training thread only, one call
/// at a time.
public protocol LocalTraining: AnyObject {
  var modelLength: Int { get }
  /// Samples one round trains on when time allows (one local epoch, or the configured steps).
  var samplesPerRound: Int { get }
  /// Samples per optimizer step.
  var batchSize: Int { get }
  /// Trains from `model` on at most `samplesMax` samples; the samples used and the delta.
  func train(from model: [Float], samplesMax: Int) -> (weight: UInt32, delta: [Float])
  /// Test accuracy of `model`; nil when this node has no test set.
  func evaluate(_ model: [Float]) -> Double?
}
