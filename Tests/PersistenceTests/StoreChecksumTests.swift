import Testing

@testable import Persistence

@Suite struct StoreChecksumTests {
  @Test(arguments: [0, 1, 7, 8, 15, 16, 17, 31, 33, 100])
  func everySingleBitFlipChangesTheChecksum(length: Int) {
    var random = SeededBytes(seed: UInt64(length))
    var bytes = random.next(length)
    let original = StoreChecksum.of(bytes, seed: 42)
    for index in bytes.indices {
      for bit in 0..<8 {
        bytes[index] ^= 1 << bit
        #expect(StoreChecksum.of(bytes, seed: 42) != original, "byte \(index) bit \(bit)")
        bytes[index] ^= 1 << bit
      }
    }
  }

  @Test func theSeedAndTheLengthCount() {
    #expect(StoreChecksum.of([1, 2, 3], seed: 1) != StoreChecksum.of([1, 2, 3], seed: 2))
    #expect(StoreChecksum.of([0], seed: 1) != StoreChecksum.of([0, 0], seed: 1))
    #expect(StoreChecksum.of([], seed: 1) != StoreChecksum.of([0], seed: 1))
  }

  /// The checksum is part of the file format: stores written before must still read.
  @Test func theChecksumIsPinned() {
    #expect(StoreChecksum.of(Array(0..<40), seed: 7) == 15_402_627_681_712_202_886)
    #expect(StoreChecksum.seed(round: 3, digest: digest(3)) == 3_861_307_455_525_665_723)
  }
}
