import Coordination
import Wire

/// Where models' bytes are: the published models this council member holds until their commit
/// applies, the committed rounds whose bytes have not arrived yet, and the requests for models
/// this node will answer once it holds them.
struct ModelReplication: Sendable {
  /// Models published by the coordinator, by digest, until their commit applies (durable: each
  /// arrives here with a `DurableWrite.heldModel`).
  var published: [Digest: [Float]]
  /// Committed rounds whose bytes have not arrived yet.
  var awaitedCommits: [Digest: RoundCommit] = [:]
  var nextRequestTime: UInt64 = 0
  var requestTurn = 0
  /// Peers that asked for a model this node did not hold yet, by digest.
  var waitingRequests: [Digest: Set<PeerID>] = [:]

  /// How often a node that lacks a committed model's bytes asks another council member.
  static let requestIntervalMilliseconds: UInt64 = 300
  /// Bounds on requests for models this node does not hold yet.
  static let waitingRequestsMax = 10_000
  static let waitingDigestsMax = 4

  init(published: [Digest: [Float]]) { self.published = published }

  /// The answer to a request for `digest`: the committed model, or a held one (of the round
  /// after it); nil when this node holds neither.
  func answer(
    for digest: Digest, model: [Float], modelDigest: Digest, committedRound: UInt64
  ) -> RoundMessage? {
    if digest == modelDigest {
      return .model(round: committedRound, digest: digest, values: model)
    }
    if let values = published[digest] {
      return .model(round: committedRound + 1, digest: digest, values: values)
    }
    return nil
  }

  /// Keeps `requester` to answer once `digest` arrives (an aggregator that joined the council
  /// may still be fetching the round's base, say; the trainer asks only once).
  mutating func wait(_ requester: PeerID, for digest: Digest) {
    if waitingRequests[digest, default: []].count < Self.waitingRequestsMax {
      waitingRequests[digest, default: []].insert(requester)
    }
  }

  /// Answers the requests for models that arrived since (called when a model arrives).
  mutating func answerWaitingRequests(
    model: [Float], modelDigest current: Digest, committedRound: UInt64
  ) -> [NodeEffect] {
    var effects: [NodeEffect] = []
    for (digest, requesters) in waitingRequests {
      guard
        let answer = answer(
          for: digest, model: model, modelDigest: current, committedRound: committedRound)
      else { continue }
      waitingRequests[digest] = nil
      for requester in requesters.sorted() { effects.append(.send(to: requester, .round(answer))) }
    }
    // A request can wait for a model that never comes (it was never committed here): keep at
    // most a few digests.
    if waitingRequests.count > Self.waitingDigestsMax {
      waitingRequests = [:]
    }
    return effects
  }

  /// The next request for the bytes of the newest committed model this node lacks: to each of
  /// `others` in turn, at most once per `requestIntervalMilliseconds`.
  mutating func nextRequest(now: UInt64, among others: [PeerID]) -> NodeEffect? {
    guard let commit = awaitedCommits.values.max(by: { $0.round < $1.round }),
      now >= nextRequestTime, !others.isEmpty
    else { return nil }
    nextRequestTime = Timestamps.adding(Self.requestIntervalMilliseconds, to: now)
    requestTurn += 1
    return .send(
      to: others[requestTurn % others.count], .round(.requestModel(digest: commit.model)))
  }
}
