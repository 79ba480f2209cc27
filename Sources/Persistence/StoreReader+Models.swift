import Wire

// Models, each checked against its checksum as it is read.
extension StoreReader {
  func newestCommittedModel() throws(PersistenceError) -> StoredModel? {
    try models(where: "is_committed = 1 ORDER BY round DESC LIMIT 1").first
  }

  func heldModels() throws(PersistenceError) -> [StoredModel] {
    try checkCount(
      "SELECT count(*) FROM models WHERE is_committed = 0", field: "held models",
      maximum: limits.heldModelsMax)
    return try models(where: "is_committed = 0 ORDER BY round, digest")
  }

  func model(_ key: ModelKey) throws(PersistenceError) -> StoredModel? {
    guard let round = Int64(exactly: key.round) else { return nil }
    return try models(
      where: "round = ?2 AND digest = ?3", [.integer(round), .identifier(key.digest)]
    ).first
  }

  /// The outer optimizer's state and the committed model it follows (its `digest`).
  func outerState() throws(PersistenceError) -> StoredModel? {
    let path = self.path
    let valuesMax = 2 * limits.modelValuesMax
    return try connection.rows(
      """
      SELECT round, model, value_count, checksum, length(value_bytes),
        CASE WHEN length(value_bytes) <= ?1 THEN value_bytes END
      FROM outer_state
      """, [.integer(Int64(valuesMax) * 4)]
    ) { row throws(PersistenceError) in
      try Self.model(in: row, valuesMax: valuesMax, table: "outer_state", path: path)
    }.first
  }

  func committedModelKeys() throws(PersistenceError) -> [ModelKey] {
    try checkCount(
      "SELECT count(*) FROM models WHERE is_committed = 1", field: "committed models",
      maximum: StoreOptions.committedModelsKeptMax)
    let path = self.path
    return try connection.rows(
      "SELECT round, digest FROM models WHERE is_committed = 1 ORDER BY round DESC"
    ) { row throws(PersistenceError) in
      ModelKey(
        round: try row.ordered(0, table: "models", path: path),
        digest: try row.identifier(1, as: Digest.self, table: "models", path: path))
    }
  }

  /// Models matching `clause`, whose parameters are numbered from `?2` (`?1` is the bound).
  private func models(
    where clause: String, _ values: [SQLValue] = []
  ) throws(PersistenceError) -> [StoredModel] {
    let path = self.path
    let valuesMax = limits.modelValuesMax
    return try connection.rows(
      """
      SELECT round, digest, value_count, checksum, length(value_bytes),
        CASE WHEN length(value_bytes) <= ?1 THEN value_bytes END
      FROM models WHERE \(clause)
      """, [.integer(Int64(valuesMax) * 4)] + values
    ) { row throws(PersistenceError) in
      try Self.model(in: row, valuesMax: valuesMax, table: "models", path: path)
    }
  }

  /// A row of `models`, or of `outer_state` (whose model is the one the state follows).
  private static func model(
    in row: SQLiteRow, valuesMax: Int, table: String, path: String
  ) throws(PersistenceError) -> StoredModel {
    let round = try row.ordered(0, table: table, path: path)
    let digest = try row.identifier(1, as: Digest.self, table: table, path: path)
    let key = ModelKey(round: round, digest: digest)
    let count = row.integer(2)
    guard count >= 0, count <= valuesMax else {
      throw .limitExceeded(
        path: path, field: "values of the model of \(key)", count: Int(count),
        maximum: valuesMax)
    }
    guard row.integer(4) == count * 4, !row.isNull(5) else {
      throw .invalidRecord(
        path: path, table: table,
        reason: "the model of \(key) has \(row.integer(4)) bytes for \(count) values")
    }
    let checksum = row.unsigned(3)
    let values = row.withBytes(5) { bytes -> [Float]? in
      let seed = StoreChecksum.seed(round: round, digest: digest)
      guard StoreChecksum.of(bytes, seed: seed) == checksum else { return nil }
      return floats(fromLittleEndian: bytes)
    }
    guard let values else {
      throw .modelChecksumMismatch(path: path, round: round, digest: digest)
    }
    return StoredModel(round: round, digest: digest, values: values)
  }
}
