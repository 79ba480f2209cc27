import Testing
import Transport

@testable import Transport

/// Reassembly: whole messages out of in-order chunks, everything else dropped and bounded.
struct ChunkReassemblerTests {
  static let chunk = ChunkHeader.payloadBytesMax

  /// Feeds every chunk of `message` numbered `number`; returns the outcomes.
  func feed(
    _ message: [UInt8], number: UInt64, to reassembler: inout ChunkReassembler,
    indices: [Int]? = nil, availableBytes: Int = .max
  ) -> [ChunkReassembler.Outcome] {
    let count = ChunkHeader.chunkCount(messageBytes: message.count)
    return (indices ?? Array(0..<count)).map { index in
      let header = ChunkHeader(
        messageNumber: number, messageBytes: message.count, chunkIndex: index)
      return message[header.payloadRange].withUnsafeBytes { payload in
        reassembler.receive(
          header, payload: payload, nowMilliseconds: 0, availableBytes: availableBytes)
      }
    }
  }

  func message(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) } }

  @Test func chunksInOrderMakeTheMessage() {
    var reassembler = ChunkReassembler(messageBytesMax: 10 * Self.chunk)
    let bytes = message(3 * Self.chunk + 5)
    let outcomes = feed(bytes, number: 0, to: &reassembler)
    #expect(outcomes.dropLast().allSatisfy { $0 == ChunkReassembler.Outcome() })
    #expect(outcomes.last?.message == bytes)
    #expect(reassembler.reservedBytes == 0)
    #expect(feed([], number: 1, to: &reassembler).last?.message == [])
  }

  @Test func aMessageAtTheBoundPassesAndOneBytePastIsDropped() {
    let maximum = 2 * Self.chunk + 1
    var reassembler = ChunkReassembler(messageBytesMax: maximum)
    #expect(feed(message(maximum), number: 0, to: &reassembler).last?.message?.count == maximum)
    let outcomes = feed(message(maximum + 1), number: 1, to: &reassembler)
    #expect(outcomes[0].dropped == [.messageTooLarge(messageBytes: maximum + 1, maximum: maximum)])
    #expect(outcomes.dropFirst().allSatisfy { $0 == ChunkReassembler.Outcome() })  // Silently.
    #expect(reassembler.reservedBytes == 0)
  }

  @Test func theSharedBudgetBoundsReservations() {
    var reassembler = ChunkReassembler(messageBytesMax: 10 * Self.chunk)
    let bytes = message(2 * Self.chunk)
    let refused = feed(bytes, number: 0, to: &reassembler, availableBytes: 2 * Self.chunk - 1)
    #expect(
      refused[0].dropped == [
        .reassemblyFull(messageBytes: bytes.count, availableBytes: bytes.count - 1)
      ])
    let accepted = feed(
      bytes, number: 1, to: &reassembler, indices: [0], availableBytes: bytes.count)
    #expect(accepted[0] == ChunkReassembler.Outcome())
    #expect(reassembler.reservedBytes == bytes.count)
  }

  @Test func aMissingChunkDropsTheMessage() {
    var reassembler = ChunkReassembler(messageBytesMax: 10 * Self.chunk)
    let bytes = message(3 * Self.chunk)
    let outcomes = feed(bytes, number: 0, to: &reassembler, indices: [0, 2])
    #expect(
      outcomes[1].dropped == [
        .incomplete(messageNumber: 0, receivedBytes: Self.chunk, messageBytes: bytes.count),
        .outOfOrder(found: ChunkHeader(messageNumber: 0, messageBytes: bytes.count, chunkIndex: 2)),
      ])
    #expect(reassembler.reservedBytes == 0)
    #expect(feed(message(10), number: 1, to: &reassembler).last?.message == message(10))
  }

  @Test func aNewMessageAbandonsTheOneInProgress() {
    var reassembler = ChunkReassembler(messageBytesMax: 10 * Self.chunk)
    _ = feed(message(2 * Self.chunk), number: 0, to: &reassembler, indices: [0])
    let outcomes = feed(message(4), number: 1, to: &reassembler)
    #expect(
      outcomes[0].dropped == [
        .incomplete(messageNumber: 0, receivedBytes: Self.chunk, messageBytes: 2 * Self.chunk)
      ])
    #expect(outcomes[0].message == message(4))
  }

  @Test func messageNumbersMustIncrease() {
    var reassembler = ChunkReassembler(messageBytesMax: 100)
    _ = feed(message(4), number: 5, to: &reassembler)
    #expect(
      feed(message(4), number: 5, to: &reassembler)[0].dropped == [
        .messageNumberNotIncreasing(previous: 5, found: 5)
      ])
    #expect(feed(message(4), number: 9, to: &reassembler)[0].message == message(4))
  }

  @Test func anIdleMessageExpiresAtItsTimeout() {
    var reassembler = ChunkReassembler(messageBytesMax: 10 * Self.chunk)
    _ = feed(message(2 * Self.chunk), number: 0, to: &reassembler, indices: [0])
    #expect(reassembler.expire(nowMilliseconds: 999, timeoutMilliseconds: 1_000) == nil)
    #expect(
      reassembler.expire(nowMilliseconds: 1_000, timeoutMilliseconds: 1_000)
        == .incomplete(messageNumber: 0, receivedBytes: Self.chunk, messageBytes: 2 * Self.chunk))
    #expect(!reassembler.isReassembling)
  }
}
