/// Appends values in the wire format to a byte array.
///
/// Integers are fixed-width little-endian; a `Float` is its IEEE 754 bit pattern; strings and
/// arrays carry a `UInt32` length prefix; a `Bool` and an `Optional`'s presence are one byte
/// (0 or 1). Every variable-length field names its maximum, and exceeding it is a programmer
/// error (a `precondition`): the decoder on the other side would reject the message.
public struct WireEncoder: Sendable {
  /// The encoding so far.
  public private(set) var bytes: [UInt8]

  /// An empty encoder with room for `capacity` bytes.
  public init(capacity: Int = 0) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public mutating func encode(_ value: UInt8) { bytes.append(value) }
  public mutating func encode(_ value: UInt16) { appendLittleEndian(value) }
  public mutating func encode(_ value: UInt32) { appendLittleEndian(value) }
  public mutating func encode(_ value: UInt64) { appendLittleEndian(value) }
  public mutating func encode(_ value: Bool) { bytes.append(value ? 1 : 0) }
  /// The bit pattern, so every value (NaN payloads included) survives the trip.
  public mutating func encode(_ value: Float) { appendLittleEndian(value.bitPattern) }

  /// Appends a nested value.
  public mutating func encode(_ value: some WireCodable) { value.encode(to: &self) }

  /// Appends a presence byte, then the value if there is one.
  public mutating func encode(optional value: (some WireCodable)?) {
    guard let value else {
      encode(false)
      return
    }
    encode(true)
    value.encode(to: &self)
  }

  /// Appends the UTF-8 byte count and the bytes.
  public mutating func encode(_ text: String, field: String, bytesMax: Int) {
    var text = text
    text.withUTF8 { utf8 in
      encodeLength(utf8.count, field: field, maximum: bytesMax)
      bytes.append(contentsOf: utf8)
    }
  }

  /// Appends the count and the elements.
  public mutating func encode<Element: WireCodable>(
    _ values: [Element], field: String, countMax: Int
  ) {
    encodeLength(values.count, field: field, maximum: countMax)
    for value in values { value.encode(to: &self) }
  }

  /// Appends the count and the floats' little-endian bit patterns, copied in bulk.
  ///
  /// - Complexity: O(n), one memory copy on little-endian machines.
  public mutating func encode(_ values: [Float], field: String, countMax: Int) {
    encodeLength(values.count, field: field, maximum: countMax)
    #if _endian(little)
      values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    #else
      bytes.reserveCapacity(bytes.count + values.count * 4)
      for value in values { encode(value) }
    #endif
  }

  /// Appends a `UInt32` length prefix after checking it against its bound.
  public mutating func encodeLength(_ length: Int, field: String, maximum: Int) {
    precondition(
      length <= maximum, "\(field): \(length) exceeds the wire maximum \(maximum)")
    precondition(maximum <= Int(UInt32.max), "\(field): maximum does not fit a UInt32 prefix")
    encode(UInt32(length))
  }

  private mutating func appendLittleEndian(_ value: some FixedWidthInteger) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }
}

extension WireEncoder {
  /// Replaces the four bytes at `offset` with `value`, for a length known only afterwards.
  mutating func overwrite(_ value: UInt32, at offset: Int) {
    precondition(offset >= 0 && offset + 4 <= bytes.count, "overwrite outside the encoding")
    withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + 4, with: $0) }
  }
}
