import Wire

// Known peers and the privacy budget spent.
extension BatchWriter {
  func rememberPeer(_ known: KnownPeer) throws(PersistenceError) {
    try connection.run(
      """
      INSERT INTO known_peers (peer, address, last_seen_milliseconds) VALUES (?1, ?2, ?3)
      ON CONFLICT (peer) DO UPDATE SET address = ?2, last_seen_milliseconds = ?3
      """,
      [
        .identifier(known.peer), .text(known.address.text),
        try ordered(known.lastSeenMilliseconds, "last contact"),
      ])
  }

  /// Keeps the `knownPeersMax` peers heard from most recently.
  func forgetPeersBeyondLimit() throws(PersistenceError) {
    let excess =
      try connection.integer("SELECT count(*) FROM known_peers")
      - Int64(
        limits.knownPeersMax)
    guard excess > 0 else { return }
    try connection.run(
      """
      DELETE FROM known_peers WHERE peer IN
        (SELECT peer FROM known_peers ORDER BY last_seen_milliseconds, peer LIMIT ?)
      """, [.integer(excess)])
  }

  func recordPrivacySpent(accountant: String, epsilon: Double) throws(PersistenceError) {
    let nameBytes = accountant.utf8.count
    guard nameBytes > 0 else { throw invalid("a privacy accountant needs a name") }
    guard nameBytes <= limits.privacyAccountantBytesMax else {
      throw .limitExceeded(
        path: path, field: "bytes of a privacy accountant's name", count: nameBytes,
        maximum: limits.privacyAccountantBytesMax)
    }
    guard epsilon.isFinite, epsilon >= 0 else {
      throw invalid("ε spent by \(accountant) is \(epsilon), not a finite value of at least 0")
    }
    try connection.run(
      """
      INSERT INTO privacy_spent (accountant, epsilon) VALUES (?1, ?2)
      ON CONFLICT (accountant) DO UPDATE SET epsilon = max(epsilon, ?2)
      """, [.text(accountant), .real(epsilon)])
  }

  func checkPrivacyAccountantCount() throws(PersistenceError) {
    try checkCount(
      "SELECT count(*) FROM privacy_spent", field: "privacy accountants",
      maximum: limits.privacyAccountantsMax)
  }
}
