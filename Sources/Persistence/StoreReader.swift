import Wire

/// Reads what a store holds without trusting it: every count is checked against its bound before
/// the rows are read, every blob's length before its bytes are (SQLite returns NULL in place of a
/// blob over the bound, so the bytes are never loaded), and every blob against its checksum.
struct StoreReader {
  let connection: SQLiteConnection
  let options: StoreOptions

  var path: String { connection.path }
  var limits: StoreLimits { options.limits }

  func load() throws(PersistenceError) -> PersistedState {
    let council = try loadCouncil()
    return PersistedState(
      council: council.state, councilSnapshot: council.snapshot,
      committedModel: try newestCommittedModel(), heldModels: try heldModels(),
      lastStartedRound: try lastStartedRound(), knownPeers: try knownPeers(),
      privacySpent: try privacySpent(), outerState: try outerState())
  }

  func checkCount(_ sql: String, field: String, maximum: Int) throws(PersistenceError) {
    let count = try connection.integer(sql)
    guard count <= maximum else {
      throw .limitExceeded(path: path, field: field, count: Int(count), maximum: maximum)
    }
  }

  private func lastStartedRound() throws(PersistenceError) -> UInt64 {
    try connection.row("SELECT last_started_round FROM node_progress") {
      row throws(PersistenceError) in row.unsigned(0)
    } ?? 0
  }

  private func knownPeers() throws(PersistenceError) -> [KnownPeer] {
    try checkCount(
      "SELECT count(*) FROM known_peers", field: "known peers", maximum: limits.knownPeersMax)
    let path = self.path
    // `length` of a text counts characters, each at least one byte: a bound on characters
    // keeps an oversized value unloaded, and the byte count is checked once it is read.
    let peers = try connection.rows(
      """
      SELECT peer, CASE WHEN length(address) <= ?1 THEN address END, last_seen_milliseconds
      FROM known_peers
      """, [.integer(Int64(PeerAddress.bytesMax))]
    ) { row throws(PersistenceError) in
      let peer = try row.identifier(0, as: PeerID.self, table: "known_peers", path: path)
      guard let address = row.text(1), address.utf8.count <= PeerAddress.bytesMax else {
        throw .invalidRecord(
          path: path, table: "known_peers",
          reason: "the address of \(peer) is not UTF-8 of at most \(PeerAddress.bytesMax) bytes")
      }
      return KnownPeer(
        peer: peer, address: PeerAddress(address),
        lastSeenMilliseconds: try row.ordered(2, table: "known_peers", path: path))
    }
    return peers.sorted { $0.peer < $1.peer }
  }

  private func privacySpent() throws(PersistenceError) -> [String: Double] {
    try checkCount(
      "SELECT count(*) FROM privacy_spent", field: "privacy accountants",
      maximum: limits.privacyAccountantsMax)
    let path = self.path
    let bytesMax = limits.privacyAccountantBytesMax
    let accounts = try connection.rows(
      "SELECT CASE WHEN length(accountant) <= ?1 THEN accountant END, epsilon FROM privacy_spent",
      [.integer(Int64(bytesMax))]
    ) { row throws(PersistenceError) in
      guard let accountant = row.text(0), !accountant.isEmpty, accountant.utf8.count <= bytesMax
      else {
        throw .invalidRecord(
          path: path, table: "privacy_spent",
          reason: "an accountant's name is not UTF-8 of 1 to \(bytesMax) bytes")
      }
      let epsilon = row.real(1)
      guard epsilon.isFinite, epsilon >= 0 else {
        throw .invalidRecord(
          path: path, table: "privacy_spent", reason: "\(accountant) spent ε = \(epsilon)")
      }
      return (accountant, epsilon)
    }
    return Dictionary(accounts, uniquingKeysWith: { first, _ in first })
  }
}
