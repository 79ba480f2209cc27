import Coordination
import Node
import Persistence
import Wire

/// A node's durable state in its SQLite store: what `NodeController` writes through
/// `NodeEffect.persist`, and the state it restarts from.
public final class NodeStore {
  public let store: SQLiteStore
  /// The name the client-level (central) accountant's epsilon is kept under.
  public static let centralAccountant = "central"

  /// Opens (or creates) the store in `directory`; a corrupt, truncated or foreign file is a
  /// typed error, never used.
  public init(directory: String, options: StoreOptions = StoreOptions()) throws(PersistenceError) {
    store = try SQLiteStore(directory: directory, options: options)
  }

  /// The state a controller restarts from; `initialModel` before the first commit.
  public func load(initialModel: [Float]) throws(PersistenceError) -> (
    durable: NodeDurableState, knownPeers: [KnownPeer]
  ) {
    let state = try store.load()
    var held: [Digest: [Float]] = [:]
    for model in state.heldModels { held[model.digest] = model.values }
    var model = state.committedModel?.values ?? initialModel
    if model.count != initialModel.count { model = initialModel }
    let durable = NodeDurableState(
      council: state.council, committedRound: state.committedModel?.round ?? 0, model: model,
      lastStartedRound: state.lastStartedRound, storedModels: held,
      spentEpsilon: state.privacySpent[Self.centralAccountant],
      outerState: state.outerState.map {
        StoredOuterState(round: $0.round, model: $0.digest, values: $0.values)
      })
    return (durable, state.knownPeers)
  }

  /// Applies one step's writes in one transaction, synced before it returns.
  public func apply(_ writes: [Node.DurableWrite], extra: [DurableOperation] = [])
    throws(PersistenceError)
  {
    var batch = Persistence.DurableWrite()
    for write in writes { batch.append(contentsOf: Self.operations(write)) }
    for operation in extra { batch.append(operation) }
    guard !batch.isEmpty else { return }
    try store.apply(batch)
  }

  /// The store operations of one controller write (the reference meaning is
  /// `NodeDurableState.apply(_:)`).
  static func operations(_ write: Node.DurableWrite) -> Persistence.DurableWrite {
    switch write {
    case .council(let councilWrite):
      return Persistence.DurableWrite(councilWrite)
    case .heldModel(let round, let digest, let values):
      return Persistence.DurableWrite([
        .storeModel(StoredModel(round: round, digest: digest, values: values))
      ])
    case .committedModel(let round, let digest, let values, _):
      // The store drops held models of this round and older at a commit; a trainer's held
      // models (it has none) need no release.
      return Persistence.DurableWrite([
        .storeModel(StoredModel(round: round, digest: digest, values: values)),
        .commitModel(ModelKey(round: round, digest: digest)),
      ])
    case .startedRound(let round):
      return Persistence.DurableWrite([.setLastStartedRound(round)])
    case .privacySpent(let epsilon):
      return Persistence.DurableWrite([
        .recordPrivacySpent(accountant: Self.centralAccountant, epsilon: epsilon)
      ])
    case .outerState(let state):
      return Persistence.DurableWrite([
        .storeOuterState(StoredModel(round: state.round, digest: state.model, values: state.values))
      ])
    }
  }

  /// The newest committed model, for `starling export`.
  public func committedModel() throws(PersistenceError) -> StoredModel? {
    try store.load().committedModel
  }

  public func close() { store.close() }
}
