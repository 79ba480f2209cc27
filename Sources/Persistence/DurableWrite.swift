import Coordination
import Wire

/// One change to durable state. `SQLiteStore.apply(_:)` applies a batch of them in order.
public enum DurableOperation: Hashable, Sendable {
  /// The council's current term and the vote cast in it (Raft's `currentTerm`, `votedFor`).
  case setTermAndVote(term: UInt64, votedFor: PeerID?)
  /// Stores `entries`, contiguous and ascending, after deleting every stored entry at
  /// `entries.first.index` or later (Raft's conflict truncation). The first index is at most one
  /// past the last stored entry and after the snapshot, if there is one.
  case appendEntries([LogEntry])
  /// Deletes every stored log entry at `index` or later.
  case truncateLog(from: UInt64)
  /// The application's record of the last log entry it executed (`CouncilDurableState`).
  case setAppliedIndex(UInt64)
  /// Replaces the log up to `snapshot.lastIndex`. Entries after it stay if the stored entry at
  /// `lastIndex` has the snapshot's term; otherwise the whole log goes (Raft §7).
  case installSnapshot(CouncilSnapshot)
  /// Holds a model (a council member that received a published model and will acknowledge it).
  /// A model of a round no newer than the newest committed one is dropped when the batch ends:
  /// nobody needs it any more. Storing a committed model again leaves it committed.
  case storeModel(StoredModel)
  /// Commits a held model, stored by this batch or an earlier one. A committed round never
  /// changes: committing a round older than the newest committed one, or the same round with a
  /// different hash, is refused. Held models of this round and older are dropped, and committed
  /// models beyond `StoreOptions.committedModelsKept` are pruned, oldest first.
  case commitModel(ModelKey)
  /// The outer optimizer's state after the committed model `state.digest` of `state.round`
  /// (a council that checks its coordinator replicates it); it replaces the one stored.
  case storeOuterState(StoredModel)
  /// The last round this node saw start.
  case setLastStartedRound(UInt64)
  /// Adds a peer, or updates its address and last contact.
  case rememberPeer(KnownPeer)
  case forgetPeer(PeerID)
  /// The ε spent so far by one accountant. It never decreases: a lower value than the stored one
  /// leaves the stored one, so that a replayed or reordered batch cannot give budget back.
  case recordPrivacySpent(accountant: String, epsilon: Double)
}

/// The durable effects of one or more controller steps, written atomically: all or nothing.
///
/// The runtime gathers a step's effects into one batch and sends no message of that step until
/// `apply` returns (the order of etcd raft's `Ready`). Batches of consecutive steps may be joined
/// with `append(contentsOf:)`: operations keep their order.
public struct DurableWrite: Hashable, Sendable {
  public var operations: [DurableOperation]

  public init(_ operations: [DurableOperation] = []) { self.operations = operations }

  /// A council write (`CouncilAction.persist`) as store operations, with the same meaning as
  /// `CouncilDurableState.apply(_:)`.
  public init(_ write: CouncilWrite) {
    operations = [.setTermAndVote(term: write.term, votedFor: write.votedFor)]
    if !write.entries.isEmpty { operations.append(.appendEntries(write.entries)) }
  }

  public var isEmpty: Bool { operations.isEmpty }

  public mutating func append(_ operation: DurableOperation) { operations.append(operation) }

  public mutating func append(contentsOf other: DurableWrite) {
    operations.append(contentsOf: other.operations)
  }
}
