/// Cuts a byte stream (as it arrives from a socket) into envelopes, one frame at a time.
///
/// The reader holds at most `bufferedBytesMax` bytes. Each frame's header is checked as soon
/// as it is buffered, so a frame declaring a payload the buffer could never hold is rejected
/// before its payload arrives. After any error the stream is out of step and every later call
/// throws the same error: close the connection.
///
/// A transport reads at most `appendableByteCount` bytes from its socket, appends them, then
/// calls `nextEnvelope()` until it returns nil.
public struct FrameReader: Sendable {
  /// The most bytes held at once.
  public let bufferedBytesMax: Int
  private var buffer: [UInt8] = []
  /// Index in `buffer` of the first byte not consumed yet.
  private var start = 0
  private var failure: WireError?

  /// A reader that holds at most `bufferedBytesMax` bytes: by default one frame of the
  /// largest size; a smaller bound also limits the frames accepted.
  public init(bufferedBytesMax: Int = Frame.bytesMax) {
    precondition(bufferedBytesMax >= Frame.headerBytes, "a reader must hold at least a header")
    self.bufferedBytesMax = bufferedBytesMax
  }

  /// Bytes received and not yet returned as envelopes.
  public var bufferedByteCount: Int { buffer.count - start }

  /// How many more bytes `append(contentsOf:)` accepts now.
  public var appendableByteCount: Int { bufferedBytesMax - bufferedByteCount }

  /// Buffers bytes received from the stream.
  ///
  /// Throws `lengthTooLarge` (field "FrameReader.buffer") when the bytes do not fit in
  /// `appendableByteCount`.
  /// - Complexity: amortised O(n) in the bytes appended.
  public mutating func append<Bytes: Collection<UInt8>>(
    contentsOf bytes: Bytes
  ) throws(WireError) {
    if let failure { throw failure }
    let total = bufferedByteCount + bytes.count
    guard total <= bufferedBytesMax else {
      let error = WireError.lengthTooLarge(
        field: "FrameReader.buffer", length: total, maximum: bufferedBytesMax)
      failure = error
      throw error
    }
    discardConsumedBytes()
    buffer.append(contentsOf: bytes)
  }

  /// The next whole envelope, or nil until a whole frame is buffered.
  public mutating func nextEnvelope() throws(WireError) -> Envelope? {
    if let failure { throw failure }
    do {
      return try decodeNextFrame()
    } catch {
      failure = error
      throw error
    }
  }

  private mutating func decodeNextFrame() throws(WireError) -> Envelope? {
    guard bufferedByteCount >= Frame.headerBytes else { return nil }
    let payloadBytes = try Frame.payloadLength(header: buffer[start...])
    let payloadBytesMax = bufferedBytesMax - Frame.headerBytes
    guard payloadBytes <= payloadBytesMax else {
      throw .lengthTooLarge(
        field: "FrameReader.payload", length: payloadBytes, maximum: payloadBytesMax)
    }
    let payloadStart = start + Frame.headerBytes
    guard buffer.count - payloadStart >= payloadBytes else { return nil }
    let envelope = try Frame.decodePayload(buffer[payloadStart..<payloadStart + payloadBytes])
    start = payloadStart + payloadBytes
    return envelope
  }

  /// Drops consumed bytes once they are at least half the buffer, so that each byte is moved
  /// O(1) times on average.
  private mutating func discardConsumedBytes() {
    guard start > 0, start * 2 >= buffer.count else { return }
    buffer.removeFirst(start)
    start = 0
  }
}
