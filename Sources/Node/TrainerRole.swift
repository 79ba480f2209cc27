import Aggregation
import Coordination
import Privacy
import Tensors
import Wire

/// A trainer's side of rounds: it trains on the round's base when an aggregator asks (fetching
/// the base first when it lacks it) and sends its update, with worker momentum and local noise
/// when the project uses them.
struct TrainerRole: Sendable {
  /// The aggregator that last asked this node to train.
  var aggregator: PeerID?
  /// A training request whose base model has not arrived yet.
  var pending: (round: UInt64, base: Digest, deadline: UInt64)?
  /// Client-side worker momentum, when the project uses it.
  var workerMomentum: WorkerMomentum?
  /// Rounds in which this trainer sent a locally privatized update.
  var localPrivacyRounds = 0
  /// The last round this trainer started training for: a repeated request (an aggregator asks
  /// again when the trainer reconnects) does not start a second training.
  var startedRound: UInt64?

  /// `aggregator` asks for training on `base` for `round`: train now when `model` is that base,
  /// otherwise ask the aggregator for it and train on arrival.
  mutating func handleTrainRequest(
    round: UInt64, base: Digest, deadline: UInt64, from aggregator: PeerID, model: [Float],
    modelDigest: Digest
  ) -> NodeEffect? {
    guard round != startedRound else { return nil }
    self.aggregator = aggregator
    guard base == modelDigest else {
      pending = (round, base, deadline)
      return .send(to: aggregator, .round(.requestModel(digest: base)))
    }
    pending = nil
    startedRound = round
    return .train(round: round, model: model, deadlineMilliseconds: deadline)
  }

  /// Whether a training request waits for the model with `digest`, from `sender`, the
  /// aggregator that asked (only its answer says which round the base was committed in).
  func isWaiting(for digest: Digest, from sender: PeerID) -> Bool {
    pending?.base == digest && aggregator == sender
  }

  /// The model with `digest` arrived: the training that waited for it starts.
  mutating func modelArrived(_ digest: Digest, values: [Float]) -> NodeEffect? {
    guard let waiting = pending, waiting.base == digest else { return nil }
    pending = nil
    startedRound = waiting.round
    return .train(round: waiting.round, model: values, deadlineMilliseconds: waiting.deadline)
  }

  /// Local training finished: the update to send to this node's aggregator (nil when no
  /// aggregator asked), after worker momentum and local noise.
  mutating func update(
    round: UInt64, weight: UInt32, delta: [Float], localPrivacy: GaussianMechanism?, seed: UInt64
  ) -> (aggregator: PeerID, message: RoundMessage)? {
    guard let aggregator else { return nil }
    var sent = workerMomentum.map { _ in workerMomentum!.apply(to: delta) } ?? delta
    if let localPrivacy {
      var generator = SeededGenerator(seed: seed ^ round &* 0x10CA_1D9)
      sent = localPrivacy.privatizedLocally(sent, using: &generator)
      localPrivacyRounds += 1
    }
    return (aggregator, .update(round: round, weight: weight, values: sent))
  }
}
