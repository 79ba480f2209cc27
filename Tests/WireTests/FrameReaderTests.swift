import Testing

@testable import Wire

@Suite struct FrameReaderTests {
  static func envelopes(seed: UInt64) -> [Envelope] {
    var random = RandomValues(seed: seed)
    return random.envelopes()
  }

  /// Feeds `chunks` in order, collecting every envelope that becomes available.
  static func read(_ chunks: [ArraySlice<UInt8>], with reader: inout FrameReader) throws
    -> [Envelope]
  {
    var envelopes: [Envelope] = []
    for chunk in chunks {
      try reader.append(contentsOf: chunk)
      while let envelope = try reader.nextEnvelope() { envelopes.append(envelope) }
    }
    return envelopes
  }

  @Test func nothingIsReturnedUntilAWholeFrameIsBuffered() throws {
    let frame = Frame.encode(Self.envelopes(seed: 1)[0])
    var reader = FrameReader()
    for byte in frame.dropLast() {
      try reader.append(contentsOf: [byte])
      #expect(try reader.nextEnvelope() == nil)
    }
    try reader.append(contentsOf: [frame.last!])
    #expect(try reader.nextEnvelope() == Self.envelopes(seed: 1)[0])
    #expect(try reader.nextEnvelope() == nil)
    #expect(reader.bufferedByteCount == 0)
  }

  @Test func twoFramesSplitAtEveryByteBoundaryAreBothRead() throws {
    let envelopes = Array(Self.envelopes(seed: 2).prefix(2))
    let stream = envelopes.flatMap(Frame.encode)
    for split in 0...stream.count {
      var reader = FrameReader()
      let read = try Self.read([stream[..<split], stream[split...]], with: &reader)
      #expect(read == envelopes, "split at \(split)")
    }
  }

  @Test(arguments: [1, 3, 7, 64])
  func aStreamOfEveryKindOfMessageInSmallChunksIsReadInOrder(chunkBytes: Int) throws {
    let envelopes = Self.envelopes(seed: 3)
    let stream = envelopes.flatMap(Frame.encode)
    let chunks = stride(from: 0, to: stream.count, by: chunkBytes).map {
      stream[$0..<min($0 + chunkBytes, stream.count)]
    }
    var reader = FrameReader()
    #expect(try Self.read(chunks, with: &reader) == envelopes)
  }

  @Test func severalFramesInOneChunkAreAllRead() throws {
    let envelopes = Self.envelopes(seed: 4)
    var reader = FrameReader()
    try reader.append(contentsOf: envelopes.flatMap(Frame.encode))
    var read: [Envelope] = []
    while let envelope = try reader.nextEnvelope() { read.append(envelope) }
    #expect(read == envelopes)
  }

  @Test func aReaderBoundedToOneFrameReadsManyFramesInTurn() throws {
    // Consumed bytes must be discarded, or the bound would be hit after the first frames.
    let frame = Frame.encode(Self.envelopes(seed: 5)[0])
    var reader = FrameReader(bufferedBytesMax: frame.count)
    for _ in 0..<100 {
      for half in [frame[..<(frame.count / 2)], frame[(frame.count / 2)...]] {
        #expect(reader.appendableByteCount >= half.count)
        try reader.append(contentsOf: half)
      }
      #expect(try reader.nextEnvelope() != nil)
    }
  }

  @Test func aFrameLargerThanTheBufferIsRejectedAsSoonAsItsHeaderArrives() throws {
    let frame = Frame.encode(
      Envelope(
        sender: samplePeer, receiver: samplePeer,
        message: .round(.update(round: 1, weight: 1, values: [1, 2, 3]))))
    var reader = FrameReader(bufferedBytesMax: frame.count - 1)
    try reader.append(contentsOf: frame.prefix(Frame.headerBytes))
    #expect(
      throws: WireError.lengthTooLarge(
        field: "FrameReader.payload", length: frame.count - Frame.headerBytes,
        maximum: frame.count - 1 - Frame.headerBytes)
    ) { try reader.nextEnvelope() }
  }

  @Test func aHeaderDeclaringMoreThanTheFrameMaximumIsRejected() throws {
    var reader = FrameReader()
    try reader.append(contentsOf: hex("53 4C 01 00") + lengthBytes(Frame.payloadBytesMax + 1))
    #expect(
      throws: WireError.lengthTooLarge(
        field: "Frame.payload", length: Frame.payloadBytesMax + 1, maximum: Frame.payloadBytesMax)
    ) { try reader.nextEnvelope() }
  }

  @Test func appendingBeyondTheBoundIsRejected() throws {
    var reader = FrameReader(bufferedBytesMax: 16)
    try reader.append(contentsOf: [UInt8](repeating: 0, count: 10))
    #expect(reader.appendableByteCount == 6)
    #expect(
      throws: WireError.lengthTooLarge(field: "FrameReader.buffer", length: 17, maximum: 16)
    ) { try reader.append(contentsOf: [UInt8](repeating: 0, count: 7)) }
  }

  @Test func afterAnErrorEveryCallThrowsTheSameError() throws {
    let good = Frame.encode(Self.envelopes(seed: 6)[0])
    var reader = FrameReader()
    try reader.append(contentsOf: hex("00 00 01 00 00 00 00 00"))
    #expect(throws: WireError.badMagic) { try reader.nextEnvelope() }
    #expect(throws: WireError.badMagic) { try reader.append(contentsOf: good) }
    #expect(throws: WireError.badMagic) { try reader.nextEnvelope() }
  }

  @Test func aMalformedPayloadIsRejectedOnceItIsWhole() throws {
    var reader = FrameReader()
    try reader.append(
      contentsOf: hex("53 4C 01 00", "41 00 00 00") + [UInt8](repeating: 0, count: 64))
    #expect(try reader.nextEnvelope() == nil)
    try reader.append(contentsOf: [9])
    #expect(throws: WireError.unknownTag(type: "Message", tag: 9)) { try reader.nextEnvelope() }
  }
}
