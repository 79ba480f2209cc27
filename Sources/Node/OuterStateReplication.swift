import Coordination
import Wire

/// The outer optimizer's state as a council that checks its coordinator replicates it: the state
/// after the committed model, which every member restores to check the next step (and a new
/// coordinator to make it), and the states after published models, until their commits apply.
///
/// A commit names the digest of its state (`RoundCommit.outerState`); a member adopts the state
/// with the commit when it checked the round (the coordinator's note carried the state, and the
/// member recomputed it), and otherwise asks the other council members for it
/// (`requestOuterState`) and keeps the answer that hashes to the commit's digest.
struct OuterStateReplication: Sendable {
  /// The model the committed state follows: the state is this node's only while `model` is its
  /// committed model (`NodeController.holdsOuterState`).
  var model: Digest
  /// The state after `model` (empty before the first step).
  var values: [Float]
  /// The states after published models this node made or checked, by model digest, with their
  /// rounds.
  var pending: [Digest: (round: UInt64, values: [Float])] = [:]
  var nextRequestTime: UInt64 = 0
  var requestTurn = 0

  /// How often a member that lacks the committed state asks another member for it.
  static let requestIntervalMilliseconds: UInt64 = 300
}

/// The durable record of the committed outer state (`DurableWrite.outerState`).
public struct StoredOuterState: Sendable, Hashable {
  /// The committed round and model the state follows.
  public var round: UInt64
  public var model: Digest
  public var values: [Float]
  public init(round: UInt64, model: Digest, values: [Float]) {
    self.round = round
    self.model = model
    self.values = values
  }
}

extension NodeController {
  /// Whether this node replicates an outer optimizer's state: the council checks its
  /// coordinator and the project's outer optimizer keeps momentum or moments.
  var keepsOuterState: Bool {
    checksCoordinator && !(settings.security?.outerOptimizer?.isStateless ?? true)
  }

  /// Whether this node holds the outer state after its committed model (always, when the
  /// project keeps none). A coordinator opens no round without it, and a member checks no model
  /// over a base whose state it lacks.
  var holdsOuterState: Bool { !keepsOuterState || outerState.model == modelDigest }

  /// The outer state after the committed model, for tools and tests (nil when the project
  /// keeps none, or while this node fetches it).
  public var committedOuterState: [Float]? {
    keepsOuterState && holdsOuterState ? outerState.values : nil
  }

  /// The state after `commit` as this coordinator proposes it: the state of its step, or, for
  /// a round no partial reached (its model is the base), the committed state unchanged.
  func outerStateValues(after commit: RoundCommit) -> [Float] {
    if commit.aggregators.isEmpty { return outerState.values }
    return outerState.pending[commit.model].flatMap {
      $0.round == commit.round ? $0.values : nil
    } ?? []
  }

  /// `Digest.of(values:)` of `outerStateValues(after:)`, which the commit names.
  func outerStateDigest(after commit: RoundCommit) -> Digest {
    Digest.of(values: outerStateValues(after: commit))
  }

  /// Why a commit's outer state cannot be honest, as this member sees it: the state it checked
  /// with the round's model, or, for a round no partial reached, the committed state it holds
  /// over that model; nil when it holds neither, or the commit names the right one.
  func outerStateRefusal(of commit: RoundCommit) -> String? {
    guard keepsOuterState else { return nil }
    let expected: [Float]?
    if commit.aggregators.isEmpty {
      expected = outerState.model == commit.model ? outerState.values : nil
    } else {
      expected = outerState.pending[commit.model].flatMap {
        $0.round == commit.round ? $0.values : nil
      }
    }
    guard let expected, Digest.of(values: expected) != commit.outerState else { return nil }
    return "commits round \(commit.round) with an outer optimizer state (\(commit.outerState)) "
      + "other than the one its model was checked with (\(Digest.of(values: expected)))"
  }

  /// Makes the state after `commit`'s model the committed one, when this node made or checked
  /// it and it hashes to the commit's digest (otherwise `requestOuterState` fetches it).
  mutating func adoptOuterState(of commit: RoundCommit) -> [NodeEffect] {
    guard keepsOuterState, commit.round >= committedRound, outerState.model != commit.model
    else { return [] }
    defer { outerState.pending = outerState.pending.filter { $0.value.round > commit.round } }
    guard let pending = outerState.pending[commit.model], pending.round == commit.round,
      Digest.of(values: pending.values) == commit.outerState
    else { return [] }
    return setOuterState(round: commit.round, model: commit.model, values: pending.values)
  }

  private mutating func setOuterState(round: UInt64, model: Digest, values: [Float])
    -> [NodeEffect]
  {
    outerState.model = model
    outerState.values = values
    return [.persist(.outerState(StoredOuterState(round: round, model: model, values: values)))]
      + checkWaitingModels()
  }

  /// The digest the outer state after the committed model `model` must hash to, from the
  /// newest commit of that model in the log; the empty state's for the initial model.
  /// - Complexity: O(n) in the log's length (a member asks rarely: after a restart, or when it
  ///   missed a round's note).
  func committedOuterStateDigest(of model: Digest) -> Digest? {
    guard let council else { return nil }
    for entry in council.log(from: 1).reversed() {
      if case .commitRound(let commit) = entry.command, commit.model == model,
        entry.index <= council.commitIndex
      {
        return commit.outerState
      }
    }
    return committedRound == 0 && model == modelDigest ? Digest.of(values: []) : nil
  }

  /// The next request for the committed outer state this council member lacks: to each other
  /// member in turn, at most once per `requestIntervalMilliseconds`.
  mutating func requestOuterState() -> [NodeEffect] {
    // While a commit's bytes are awaited, the state that follows them is not asked for yet.
    guard !holdsOuterState, isCouncilMember, replication.awaitedCommits.isEmpty,
      now >= outerState.nextRequestTime
    else { return [] }
    let others = (council?.members ?? []).filter { $0 != me }
    guard !others.isEmpty else { return [] }
    outerState.nextRequestTime = Timestamps.adding(
      OuterStateReplication.requestIntervalMilliseconds, to: now)
    outerState.requestTurn += 1
    return [
      .send(
        to: others[outerState.requestTurn % others.count],
        .round(.requestOuterState(model: modelDigest)))
    ]
  }

  /// The answer to a request for the state after `model`: the committed one, or one after a
  /// published model; nothing when this node holds neither.
  func answerOuterStateRequest(for model: Digest, from sender: PeerID) -> [NodeEffect] {
    guard keepsOuterState else { return [] }
    let values =
      outerState.model == model ? outerState.values : outerState.pending[model]?.values
    guard let values else { return [] }
    return [.send(to: sender, .round(.outerState(model: model, values: values)))]
  }

  /// A state another member sent: this node's committed state when it lacked it and the values
  /// hash to what the log's commit of its model names.
  mutating func receiveOuterState(model: Digest, values: [Float]) -> [NodeEffect] {
    guard !holdsOuterState, model == modelDigest,
      let expected = committedOuterStateDigest(of: model), Digest.of(values: values) == expected
    else { return [] }
    return setOuterState(round: committedRound, model: model, values: values)
  }
}
