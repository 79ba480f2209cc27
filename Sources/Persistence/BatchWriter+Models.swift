import Wire

// Held and committed models.
extension BatchWriter {
  func storeModel(_ model: StoredModel) throws(PersistenceError) {
    guard model.values.count <= limits.modelValuesMax else {
      throw .limitExceeded(
        path: path, field: "values of the model of \(model.key)", count: model.values.count,
        maximum: limits.modelValuesMax)
    }
    let round = try ordered(model.round, "round")
    let checksum = withLittleEndianBytes(of: model.values) {
      StoreChecksum.of($0, seed: StoreChecksum.seed(round: model.round, digest: model.digest))
    }
    // Storing a model that is already stored keeps whether it is committed.
    try connection.run(
      """
      INSERT INTO models (round, digest, is_committed, value_count, checksum, value_bytes)
      VALUES (?1, ?2, 0, ?3, ?4, ?5)
      ON CONFLICT (round, digest) DO UPDATE SET value_count = ?3, checksum = ?4,
        value_bytes = ?5
      """,
      [
        round, .identifier(model.digest), .integer(Int64(model.values.count)),
        .unsigned(checksum), .littleEndianFloats(model.values),
      ])
  }

  func storeOuterState(_ state: StoredModel) throws(PersistenceError) {
    guard state.values.count <= 2 * limits.modelValuesMax else {
      throw .limitExceeded(
        path: path, field: "values of the outer state after \(state.key)",
        count: state.values.count, maximum: 2 * limits.modelValuesMax)
    }
    let round = try ordered(state.round, "round")
    let checksum = withLittleEndianBytes(of: state.values) {
      StoreChecksum.of($0, seed: StoreChecksum.seed(round: state.round, digest: state.digest))
    }
    try connection.run(
      """
      INSERT INTO outer_state (singleton, round, model, value_count, checksum, value_bytes)
      VALUES (1, ?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (singleton) DO UPDATE SET round = ?1, model = ?2, value_count = ?3,
        checksum = ?4, value_bytes = ?5
      """,
      [
        round, .identifier(state.digest), .integer(Int64(state.values.count)),
        .unsigned(checksum), .littleEndianFloats(state.values),
      ])
  }

  func commitModel(_ key: ModelKey) throws(PersistenceError) {
    let round = try ordered(key.round, "round")
    let path = self.path
    let newest = try connection.row(
      "SELECT round, digest FROM models WHERE is_committed = 1 ORDER BY round DESC LIMIT 1"
    ) { row throws(PersistenceError) in
      ModelKey(
        round: try row.ordered(0, table: "models", path: path),
        digest: try row.identifier(1, as: Digest.self, table: "models", path: path))
    }
    if let newest, newest.round >= key.round {
      guard newest != key else { return }
      throw invalid(
        newest.round == key.round
          ? "round \(key.round) is committed already, with hash \(newest.digest.hexadecimal)"
          : "round \(key.round) is older than the committed round \(newest.round)")
    }
    try connection.run(
      "UPDATE models SET is_committed = 1 WHERE round = ? AND digest = ?",
      [round, .identifier(key.digest)])
    guard connection.changes == 1 else {
      throw invalid("the model of \(key) is not stored, so it cannot be committed")
    }
  }

  /// Drops held models that a commit superseded and committed models beyond the number kept,
  /// then checks how many are held.
  func pruneModels() throws(PersistenceError) {
    try connection.run(
      """
      DELETE FROM models WHERE is_committed = 0
        AND round <= (SELECT max(round) FROM models WHERE is_committed = 1)
      """)
    try connection.run(
      """
      DELETE FROM models WHERE is_committed = 1 AND round NOT IN
        (SELECT round FROM models WHERE is_committed = 1 ORDER BY round DESC LIMIT ?)
      """, [.integer(Int64(options.committedModelsKept))])
    try checkCount(
      "SELECT count(*) FROM models WHERE is_committed = 0", field: "held models",
      maximum: limits.heldModelsMax)
  }
}
