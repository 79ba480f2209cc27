/// Applies the operations of one batch inside the transaction `SQLiteStore.apply` opened, then
/// checks what the batch left (bounds, the log's order) and prunes models.
///
/// Any error it throws rolls the whole batch back.
struct BatchWriter {
  let connection: SQLiteConnection
  let options: StoreOptions
  private var touchesCouncil = false
  private var touchesModels = false
  private var touchesPeers = false
  private var touchesPrivacy = false

  init(connection: SQLiteConnection, options: StoreOptions) {
    self.connection = connection
    self.options = options
  }

  var path: String { connection.path }
  var limits: StoreLimits { options.limits }

  mutating func apply(_ operation: DurableOperation) throws(PersistenceError) {
    switch operation {
    case .setTermAndVote(let term, let votedFor):
      touchesCouncil = true
      try setTermAndVote(term: term, votedFor: votedFor)
    case .appendEntries(let entries):
      touchesCouncil = true
      try appendEntries(entries)
    case .truncateLog(let index):
      touchesCouncil = true
      try truncateLog(from: index)
    case .setAppliedIndex(let index):
      touchesCouncil = true
      try setAppliedIndex(index)
    case .installSnapshot(let snapshot):
      touchesCouncil = true
      try installSnapshot(snapshot)
    case .storeModel(let model):
      touchesModels = true
      try storeModel(model)
    case .commitModel(let key):
      touchesModels = true
      try commitModel(key)
    case .storeOuterState(let state):
      try storeOuterState(state)
    case .setLastStartedRound(let round):
      try setLastStartedRound(round)
    case .rememberPeer(let peer):
      touchesPeers = true
      try rememberPeer(peer)
    case .forgetPeer(let peer):
      try connection.run("DELETE FROM known_peers WHERE peer = ?", [.identifier(peer)])
    case .recordPrivacySpent(let accountant, let epsilon):
      touchesPrivacy = true
      try recordPrivacySpent(accountant: accountant, epsilon: epsilon)
    }
  }

  /// The checks and the pruning that look at the batch's result as a whole.
  mutating func finish() throws(PersistenceError) {
    if touchesCouncil { try checkCouncil() }
    if touchesModels { try pruneModels() }
    if touchesPeers { try forgetPeersBeyondLimit() }
    if touchesPrivacy { try checkPrivacyAccountantCount() }
  }

  func invalid(_ reason: String) -> PersistenceError { .invalidWrite(path: path, reason: reason) }

  /// A value of an ordered column, which must be below 2^63 to sort as it should.
  func ordered(_ value: UInt64, _ field: String) throws(PersistenceError) -> SQLValue {
    guard let signed = Int64(exactly: value) else {
      throw invalid("\(field) \(value) is not below 2^63")
    }
    return .integer(signed)
  }

  func checkCount(
    _ sql: String, field: String, maximum: Int
  ) throws(PersistenceError) {
    let count = try connection.integer(sql)
    guard count <= maximum else {
      throw .limitExceeded(path: path, field: field, count: Int(count), maximum: maximum)
    }
  }

  private func setLastStartedRound(_ round: UInt64) throws(PersistenceError) {
    try connection.run(
      """
      INSERT INTO node_progress (singleton, last_started_round) VALUES (1, ?)
      ON CONFLICT (singleton) DO UPDATE SET last_started_round = excluded.last_started_round
      """, [.unsigned(round)])
  }
}
