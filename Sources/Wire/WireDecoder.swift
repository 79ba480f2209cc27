/// Reads values in the wire format (see `WireEncoder`) from bytes that nobody vouches for.
///
/// Every read checks the bytes remaining first; every length prefix is checked against its
/// named maximum and against the bytes remaining before anything is allocated, so a forged
/// length of 2^31 costs nothing. Failures are `WireError`s.
public struct WireDecoder: Sendable {
  private let bytes: ArraySlice<UInt8>
  /// Index in `bytes` of the next byte to read.
  private var cursor: Int

  public init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    cursor = bytes.startIndex
  }

  /// Bytes read so far.
  public var bytesRead: Int { cursor - bytes.startIndex }

  /// Bytes not read yet.
  public var bytesRemaining: Int { bytes.endIndex - cursor }

  /// Throws unless every byte has been read.
  public func finish() throws(WireError) {
    guard bytesRemaining == 0 else { throw .trailingBytes(count: bytesRemaining) }
  }

  public mutating func decode(_: UInt8.Type) throws(WireError) -> UInt8 {
    try require(1)
    defer { cursor += 1 }
    return bytes[cursor]
  }

  public mutating func decode(_: UInt16.Type) throws(WireError) -> UInt16 {
    try readLittleEndian()
  }

  public mutating func decode(_: UInt32.Type) throws(WireError) -> UInt32 {
    try readLittleEndian()
  }

  public mutating func decode(_: UInt64.Type) throws(WireError) -> UInt64 {
    try readLittleEndian()
  }

  /// Reads a byte that must be 0 or 1.
  public mutating func decode(_: Bool.Type, field: String) throws(WireError) -> Bool {
    switch try decode(UInt8.self) {
    case 0: return false
    case 1: return true
    case let other: throw .invalidValue(field: field, reason: "boolean byte \(other) is not 0 or 1")
    }
  }

  /// Reads a bit pattern; any pattern, NaN included, is a `Float`.
  public mutating func decode(_: Float.Type) throws(WireError) -> Float {
    Float(bitPattern: try decode(UInt32.self))
  }

  /// Reads a nested value.
  public mutating func decode<Value: WireCodable>(_: Value.Type) throws(WireError) -> Value {
    try Value(from: &self)
  }

  /// Reads a presence byte, then the value if present.
  public mutating func decode<Value: WireCodable>(
    optional _: Value.Type, field: String
  ) throws(WireError) -> Value? {
    try decode(Bool.self, field: field) ? try Value(from: &self) : nil
  }

  /// Reads a length-prefixed UTF-8 string of at most `bytesMax` bytes.
  public mutating func decode(
    _: String.Type, field: String, bytesMax: Int
  ) throws(WireError) -> String {
    let count = try decodeLength(field: field, maximum: bytesMax, elementBytesMin: 1)
    let utf8 = bytes[cursor..<cursor + count]
    guard let text = String(validating: utf8, as: UTF8.self) else {
      throw .invalidValue(field: field, reason: "not valid UTF-8")
    }
    cursor += count
    return text
  }

  /// Reads a length-prefixed array of at most `countMax` elements.
  ///
  /// - Complexity: O(n) in the bytes read.
  public mutating func decode<Element: WireCodable>(
    _: [Element].Type, field: String, countMax: Int
  ) throws(WireError) -> [Element] {
    let count = try decodeLength(
      field: field, maximum: countMax, elementBytesMin: Element.encodedBytesMin)
    var values: [Element] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try Element(from: &self)) }
    return values
  }

  /// Reads a length-prefixed array of floats, copied in bulk.
  ///
  /// - Complexity: O(n), one memory copy on little-endian machines.
  public mutating func decode(
    _: [Float].Type, field: String, countMax: Int
  ) throws(WireError) -> [Float] {
    let count = try decodeLength(field: field, maximum: countMax, elementBytesMin: 4)
    let start = cursor
    cursor += count * 4
    return bytes[start..<cursor].withUnsafeBytes { source in
      [Float](unsafeUninitializedCapacity: count) { destination, initializedCount in
        #if _endian(little)
          UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
        #else
          for index in 0..<count {
            let bits = source.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
            destination[index] = Float(bitPattern: UInt32(littleEndian: bits))
          }
        #endif
        initializedCount = count
      }
    }
  }

  /// Reads a `UInt32` length prefix and checks it against `maximum`, then checks that the
  /// remaining bytes can hold `length` elements of at least `elementBytesMin` bytes each.
  public mutating func decodeLength(
    field: String, maximum: Int, elementBytesMin: Int
  ) throws(WireError) -> Int {
    let length = Int(try decode(UInt32.self))
    guard length <= maximum else {
      throw .lengthTooLarge(field: field, length: length, maximum: maximum)
    }
    try require(length * elementBytesMin)
    return length
  }

  private func require(_ count: Int) throws(WireError) {
    guard count <= bytesRemaining else {
      throw .truncated(needed: count, available: bytesRemaining)
    }
  }

  private mutating func readLittleEndian<Value: FixedWidthInteger>() throws(WireError) -> Value {
    let size = MemoryLayout<Value>.size
    try require(size)
    let value = bytes[cursor..<cursor + size].withUnsafeBytes {
      $0.loadUnaligned(as: Value.self)
    }
    cursor += size
    return Value(littleEndian: value)
  }
}
