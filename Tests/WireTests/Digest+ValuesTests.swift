import Identity
import Testing
import Wire

/// A model's digest is BLAKE2b-256 of its little-endian float bytes.
struct DigestValuesTests {
  @Test func digestOfValuesMatchesTheReferenceBLAKE2b256() {
    // hashlib.blake2b(struct.pack('<4f', 1.0, -2.5, 0.0, 3.25e-5), digest_size=32).
    let digest = Digest.of(values: [1.0, -2.5, 0.0, 3.25e-5])
    #expect(
      digest.contentHash.hexadecimal
        == "7074816c08cdebef67457b9d501fa45ef1d79aebef77789ee51bb9fdbd62f89c")
    var encoder = WireEncoder()
    digest.encode(to: &encoder)
    #expect(encoder.bytes == digest.contentHash.bytes)
  }

  @Test func digestAndContentHashConvertBothWays() {
    let hash = ContentHash.of(values: [0.5, 0.25])
    #expect(Digest(hash).contentHash == hash)
    #expect(Digest(hash) == Digest.of(values: [0.5, 0.25]))
  }

  @Test func anyChangedBitOrLengthChangesTheDigest() {
    let values = (0..<257).map { Float($0) / 7 }
    let base = Digest.of(values: values)
    for index in [0, 128, 256] {
      var changed = values
      changed[index] = Float(bitPattern: changed[index].bitPattern ^ 0x8000_0000)
      #expect(Digest.of(values: changed) != base)
    }
    #expect(Digest.of(values: values + [0]) != base)
    #expect(Digest.of(values: []) != Digest.of(values: [0]))
    #expect(Digest.of(values: [0.0]) != Digest.of(values: [-0.0]))
  }
}
