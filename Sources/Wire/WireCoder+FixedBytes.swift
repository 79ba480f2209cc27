extension WireEncoder {
  /// Appends `bytes` as they are, without a length prefix: for fields whose length the format
  /// fixes (keys, signatures, identifiers).
  public mutating func encode(fixedBytes bytes: [UInt8]) {
    for byte in bytes { encode(byte) }
  }
}

extension WireDecoder {
  /// Reads exactly `count` bytes (a field of fixed length).
  public mutating func decode(fixedBytes count: Int) throws(WireError) -> [UInt8] {
    guard count <= bytesRemaining else {
      throw .truncated(needed: count, available: bytesRemaining)
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    for _ in 0..<count { bytes.append(try decode(UInt8.self)) }
    return bytes
  }
}
