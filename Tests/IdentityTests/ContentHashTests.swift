import Identity
import Testing

/// BLAKE2b-256 against reference values (Python's `hashlib.blake2b(digest_size=32)`).
struct ContentHashTests {
  @Test(arguments: [
    ("", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
    ("abc", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
  ])
  func bytesHashToTheReferenceBLAKE2b256(text: String, expected: String) {
    #expect(ContentHash.of(bytes: Array(text.utf8)).hexadecimal == expected)
  }

  @Test func floatsHashAsTheirLittleEndianBitPatterns() {
    // The bytes 0000803f 000020c0 00000000 9c500838, hashed by hashlib.
    let values: [Float] = [1.0, -2.5, 0.0, 3.25e-5]
    let expected = "7074816c08cdebef67457b9d501fa45ef1d79aebef77789ee51bb9fdbd62f89c"
    #expect(ContentHash.of(values: values).hexadecimal == expected)
    let littleEndian = values.flatMap { value in
      (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) }
    }
    #expect(ContentHash.of(values: values) == ContentHash.of(bytes: littleEndian))
  }

  @Test func floatsThatCompareEqualButDifferInBitsHashDifferently() {
    #expect(Float(0.0) == Float(-0.0))
    #expect(ContentHash.of(values: [0.0]) != ContentHash.of(values: [-0.0]))
    #expect(
      ContentHash.of(values: [-0.0]).hexadecimal
        == "6fad7be304c0777522e63f6be5b2211b188912e7b21f27e6754c43067a0de504")
  }

  @Test func oneFlippedBitChangesTheHash() {
    var values = (0..<1000).map { Float($0) * 0.001 }
    let before = ContentHash.of(values: values)
    values[517] = Float(bitPattern: values[517].bitPattern ^ 1)
    #expect(ContentHash.of(values: values) != before)
  }

  @Test func littleEndianWordsRoundTripAndReadBytesInOrder() {
    let hash = ContentHash.of(bytes: Array("abc".utf8))
    let words = hash.littleEndianWords
    // The first eight bytes, bd dd 81 3c 63 42 39 72, read little-endian: 0xbd is the lowest.
    #expect(words.0 == 0x7239_4263_3c81_ddbd)
    #expect(ContentHash(littleEndianWords: words) == hash)
  }

  @Test func initFromBytesAcceptsExactly32() {
    #expect(ContentHash(bytes: [UInt8](repeating: 7, count: 32))?.bytes.count == 32)
    #expect(ContentHash(bytes: [UInt8](repeating: 7, count: 31)) == nil)
    #expect(ContentHash(bytes: [UInt8](repeating: 7, count: 33)) == nil)
  }

  @Test func concurrentFirstUsesAllAgree() async {
    // The first calls may race to initialise libsodium; every task must see the same hash.
    let expected = "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
    let results = await withTaskGroup(of: String.self) { group in
      for _ in 0..<32 { group.addTask { ContentHash.of(bytes: Array("abc".utf8)).hexadecimal } }
      return await group.reduce(into: [String]()) { $0.append($1) }
    }
    #expect(results == Array(repeating: expected, count: 32))
  }
}
