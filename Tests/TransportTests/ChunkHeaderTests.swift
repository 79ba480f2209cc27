import Testing
import Transport
import Wire

/// Chunk headers: layout, chunk counts, and what a receiver refuses.
struct ChunkHeaderTests {
  @Test func theLayoutIsKindNumberLengthIndex() {
    let header = ChunkHeader(
      messageNumber: 0x0102_0304_0506_0708, messageBytes: 0x0A0B_0C0D, chunkIndex: 3)
    #expect(
      header.encoded
        == bytes(hexadecimal: "02 0807060504030201 0d0c0b0a 03000000"))
    #expect(header.encoded.count == ChunkHeader.bytes)
  }

  @Test(arguments: [
    (0, 1), (1, 1), (ChunkHeader.payloadBytesMax, 1), (ChunkHeader.payloadBytesMax + 1, 2),
    (20_000_000, 20), (80 << 20, 80),
  ])
  func messagesSplitIntoFullChunksAndARemainder(messageBytes: Int, chunkCount: Int) {
    #expect(ChunkHeader.chunkCount(messageBytes: messageBytes) == chunkCount)
    let last = ChunkHeader(messageNumber: 0, messageBytes: messageBytes, chunkIndex: chunkCount - 1)
    #expect(last.isLast)
    #expect(last.payloadRange.upperBound == messageBytes)
    #expect(last.payloadRange.count <= ChunkHeader.payloadBytesMax)
    if chunkCount > 1 {
      let first = ChunkHeader(messageNumber: 0, messageBytes: messageBytes, chunkIndex: 0)
      #expect(first.payloadRange == 0..<ChunkHeader.payloadBytesMax)
      #expect(!first.isLast)
    }
  }

  @Test func aHeaderDecodesBackWithItsPayloadLength() throws {
    let header = ChunkHeader(messageNumber: 7, messageBytes: 3_000_000, chunkIndex: 2)
    let decoded = try ChunkHeader(decoding: header.encoded, payloadBytes: 3_000_000 - 2 * (1 << 20))
    #expect(decoded == header)
  }

  @Test func aPayloadOfAnyOtherLengthIsRefused() {
    let header = ChunkHeader(messageNumber: 0, messageBytes: 3_000_000, chunkIndex: 0)
    #expect(throws: WireError.self) {
      try ChunkHeader(decoding: header.encoded, payloadBytes: ChunkHeader.payloadBytesMax - 1)
    }
    #expect(throws: WireError.self) { try ChunkHeader(decoding: header.encoded, payloadBytes: 0) }
  }

  @Test func anIndexPastTheLastChunkIsRefused() {
    var bytes = ChunkHeader(messageNumber: 0, messageBytes: 10, chunkIndex: 0).encoded
    bytes[13] = 1
    #expect(throws: WireError.self) { try ChunkHeader(decoding: bytes, payloadBytes: 0) }
  }

  @Test func aShortHeaderOrAnotherKindIsRefused() {
    let bytes = ChunkHeader(messageNumber: 0, messageBytes: 0, chunkIndex: 0).encoded
    #expect(throws: WireError.truncated(needed: 4, available: 3)) {
      try ChunkHeader(decoding: Array(bytes.prefix(16)), payloadBytes: 0)
    }
    var hello = bytes
    hello[0] = 1
    #expect(throws: WireError.self) { try ChunkHeader(decoding: hello, payloadBytes: 0) }
  }
}
