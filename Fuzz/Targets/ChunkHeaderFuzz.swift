import Transport
import Wire

/// Fuzz target `chunk-header`: `ChunkHeader(decoding:payloadBytes:)`.
///
/// Input layout: a little-endian `Int32`, the length of the payload that follows the header on
/// the wire (negative values included: the decoder must not trust its caller either), then the
/// header bytes. Any input must decode or throw a `WireError`. A header that decodes must
/// re-encode to itself and describe a payload range inside its message, as long as the payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChunkHeader(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  let input = fuzzInput(start, count)
  guard input.count >= 4 else { return 0 }
  let headerBytes = Array(input.dropFirst(4))
  do throws(WireError) {
    let payloadBytes = payloadLength(input)
    let header = try ChunkHeader(decoding: headerBytes, payloadBytes: payloadBytes)
    requireCanonical(header.encoded, headerBytes[...], "ChunkHeader")
    let range = header.payloadRange
    precondition(range.count == payloadBytes && range.count <= ChunkHeader.payloadBytesMax)
    precondition(range.lowerBound >= 0 && range.upperBound <= header.messageBytes)
    precondition(header.isLast == (range.upperBound == header.messageBytes))
  } catch {
    _ = error.description
  }
  return 0
}

/// The payload length in the first 4 bytes of a fuzz input.
private func payloadLength(_ input: ArraySlice<UInt8>) -> Int {
  let bits = input.prefix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
  return Int(Int32(bitPattern: bits))
}

@_cdecl("LLVMFuzzerInitialize")
public func initializeChunkHeaderFuzz(
  _ argumentCount: UnsafeMutableRawPointer?, _ arguments: UnsafeMutableRawPointer?
) -> CInt {
  writeSeedsIfAsked(chunkHeaderSeeds, testOneInput: fuzzChunkHeader) { input in
    (try? ChunkHeader(decoding: Array(input.dropFirst(4)), payloadBytes: payloadLength(input)))
      != nil
  }
  return 0
}

/// Headers of an empty message, a one-chunk message, and the first and last chunks of a message
/// of 3 MiB and 5 bytes, each behind its payload length.
func chunkHeaderSeeds() -> [Seed] {
  let headers: [(String, ChunkHeader)] = [
    ("empty", ChunkHeader(messageNumber: 0, messageBytes: 0, chunkIndex: 0)),
    ("oneChunk", ChunkHeader(messageNumber: 1, messageBytes: 171, chunkIndex: 0)),
    ("firstOfFour", ChunkHeader(messageNumber: 2, messageBytes: (3 << 20) + 5, chunkIndex: 0)),
    ("lastOfFour", ChunkHeader(messageNumber: 2, messageBytes: (3 << 20) + 5, chunkIndex: 3)),
  ]
  return headers.map { name, header in
    let length = UInt32(header.payloadRange.count)
    let prefix = (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
    return Seed(name: name, bytes: prefix + header.encoded)
  }
}
