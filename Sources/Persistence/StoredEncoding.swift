import Wire

// How values are spelled in the tables (see `StoreSchema`).

extension SQLValue {
  /// A `UInt64` as its bit pattern.
  static func unsigned(_ value: UInt64) -> SQLValue { .integer(Int64(bitPattern: value)) }

  /// A peer ID or a digest as its 32-byte wire encoding.
  static func identifier(_ value: some WireCodable) -> SQLValue { .blob(value.wireBytes) }
}

extension SQLiteRow {
  /// A `UInt64` stored as its bit pattern.
  func unsigned(_ column: Int32) -> UInt64 { UInt64(bitPattern: integer(column)) }

  /// A value of an ordered column (`round`, `log_index`, last contact), which is never negative.
  func ordered(_ column: Int32, table: String, path: String) throws(PersistenceError) -> UInt64 {
    let value = integer(column)
    guard value >= 0 else {
      throw .invalidRecord(path: path, table: table, reason: "negative value \(value)")
    }
    return UInt64(value)
  }

  /// A 32-byte identifier (a peer ID or a digest).
  func identifier<Value: WireCodable>(
    _ column: Int32, as _: Value.Type, table: String, path: String
  ) throws(PersistenceError) -> Value {
    let bytes = self.bytes(column)
    guard bytes.count == Value.encodedBytesMin, let value = try? Value(wireBytes: bytes[...])
    else {
      throw .invalidRecord(
        path: path, table: table, reason: "an identifier of \(bytes.count) bytes instead of 32")
    }
    return value
  }
}

/// Floats from the little-endian bit patterns in `bytes` (a multiple of 4 bytes).
/// - Complexity: O(n), one memory copy on little-endian machines.
func floats(fromLittleEndian bytes: UnsafeRawBufferPointer) -> [Float] {
  precondition(bytes.count % 4 == 0, "float bytes must be a multiple of 4")
  let count = bytes.count / 4
  return [Float](unsafeUninitializedCapacity: count) { destination, initializedCount in
    #if _endian(little)
      if count > 0 { UnsafeMutableRawBufferPointer(destination).copyMemory(from: bytes) }
    #else
      for index in 0..<count {
        let bits = bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
        destination[index] = Float(bitPattern: UInt32(littleEndian: bits))
      }
    #endif
    initializedCount = count
  }
}

/// The bytes a `.littleEndianFloats` value binds, for its checksum.
func withLittleEndianBytes<Result>(
  of values: [Float], _ body: (UnsafeRawBufferPointer) -> Result
) -> Result {
  #if _endian(little)
    values.withUnsafeBytes(body)
  #else
    values.map { $0.bitPattern.littleEndian }.withUnsafeBytes(body)
  #endif
}
