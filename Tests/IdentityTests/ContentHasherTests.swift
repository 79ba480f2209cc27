import Identity
import Testing

/// The streaming hash agrees with the one-shot hash, however the content is split.
struct ContentHasherTests {
  @Test(arguments: [1, 3, 127, 128, 129, 1000])
  func bytesInPiecesHashAsTheirConcatenation(pieceLength: Int) {
    let content = (0..<2500).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var hasher = ContentHasher()
    for start in stride(from: 0, to: content.count, by: pieceLength) {
      hasher.update(bytes: Array(content[start..<min(start + pieceLength, content.count)]))
    }
    #expect(hasher.finalize() == ContentHash.of(bytes: content))
  }

  @Test func floatsInPiecesHashAsTheWholeVector() {
    let values = (0..<10_000).map { Float($0) * 0.37 - 100 }
    var hasher = ContentHasher()
    hasher.update(values: Array(values[..<3333]))
    hasher.update(values: [])
    hasher.update(values: Array(values[3333...]))
    #expect(hasher.finalize() == ContentHash.of(values: values))
  }

  @Test func anEmptyStreamHashesAsNoBytes() {
    #expect(ContentHasher().finalize() == ContentHash.of(bytes: []))
  }
}
