import Coordination
import Wire

/// What a node keeps on disk: its council state (fdfl) and its last committed model.
public struct NodeDurableState: Sendable {
  public var council: CouncilDurableState?
  public var committedRound: UInt64
  public var model: [Float]
  public var lastStartedRound: UInt64
  /// Published models this council member acknowledged holding, not yet committed.
  public var storedModels: [Digest: [Float]]
  /// The client-level epsilon spent by the committed rounds, as last written (for tools that
  /// read a stopped node's store; a running node composes it from its log).
  public var spentEpsilon: Double?
  /// The outer optimizer's state after the committed model, when the council replicates it.
  public var outerState: StoredOuterState?

  public init(
    council: CouncilDurableState?, committedRound: UInt64, model: [Float], lastStartedRound: UInt64,
    storedModels: [Digest: [Float]] = [:], spentEpsilon: Double? = nil,
    outerState: StoredOuterState? = nil
  ) {
    self.outerState = outerState
    self.spentEpsilon = spentEpsilon
    self.council = council
    self.committedRound = committedRound
    self.model = model
    self.lastStartedRound = lastStartedRound
    self.storedModels = storedModels
  }

  /// Applies one write, as a store must (the reference semantics of `DurableWrite`).
  public mutating func apply(_ write: DurableWrite) {
    switch write {
    case .council(let councilWrite):
      var state = council ?? CouncilDurableState()
      state.apply(councilWrite)
      council = state
    case .heldModel(_, let digest, let values):
      storedModels[digest] = values
    case .committedModel(let round, _, let values, let releasesHeldModels):
      committedRound = round
      model = values
      if releasesHeldModels { storedModels = [:] }
    case .startedRound(let round):
      lastStartedRound = max(lastStartedRound, round)
    case .privacySpent(let epsilon):
      spentEpsilon = epsilon
    case .outerState(let state):
      outerState = state
    }
  }
}

/// One change to what a node keeps across a crash, returned as `NodeEffect.persist`. The
/// runtime makes it durable before it carries out any other effect of the same step.
public enum DurableWrite: Sendable {
  /// Raft state: the term, the vote, and log entries from `entries.first.index` on.
  case council(CouncilWrite)
  /// A published model, not yet committed, that this council member holds: it tells the
  /// coordinator so in the same step, and a commit needs a majority of such holders.
  case heldModel(round: UInt64, digest: Digest, values: [Float])
  /// The last committed model (or the base a trainer received) and its round; with
  /// `releasesHeldModels` the held models are dropped (the commit supersedes them).
  case committedModel(round: UInt64, digest: Digest, values: [Float], releasesHeldModels: Bool)
  /// The highest round whose start this node saw committed: a coordinator restarted from the
  /// store never numbers a new round at or below it.
  case startedRound(UInt64)
  /// The client-level epsilon spent once the round just applied is counted.
  case privacySpent(epsilon: Double)
  /// The outer optimizer's state after the committed model it names (replaces the last one).
  case outerState(StoredOuterState)
}

extension NodeEffect {
  /// Whether the runtime must make this effect durable before the step's other effects.
  public var isDurable: Bool {
    if case .persist = self { return true }
    return false
  }
}

extension CouncilAction {
  /// The sequence number of a write, nil for every other action.
  var writeSequence: UInt64? {
    if case .persist(let write) = self { return write.sequence }
    return nil
  }
}
