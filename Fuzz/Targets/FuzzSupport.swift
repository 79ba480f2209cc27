import Glibc

// Shared by every fuzz target (compiled into each target's binary; see Fuzz/run.sh).

/// One input of a committed seed corpus: a valid encoding, named after what it encodes.
struct Seed {
  let name: String
  let bytes: [UInt8]
}

/// The bytes libFuzzer hands a target, as a slice whose indices start at 1, not 0: the decoders
/// take `ArraySlice`s cut from larger buffers, so an index that assumes a start of 0 shows up.
func fuzzInput(_ start: UnsafeRawPointer?, _ count: Int) -> ArraySlice<UInt8> {
  var bytes: [UInt8] = [0xA5]
  bytes.reserveCapacity(1 + count)
  if let start, count > 0 {
    bytes.append(contentsOf: UnsafeRawBufferPointer(start: start, count: count))
  }
  return bytes[1...]
}

/// Stops the process (a libFuzzer finding) unless `encoded`, the re-encoding of what `input`
/// decoded to, is `input` itself: the wire format has exactly one encoding per value, so a
/// decoder that accepts any other bytes accepts what it should reject.
func requireCanonical(_ encoded: [UInt8], _ input: ArraySlice<UInt8>, _ type: String) {
  precondition(
    encoded.elementsEqual(input),
    "\(type): \(input.count) input bytes decode to a value that re-encodes to \(encoded.count) "
      + "other bytes")
}

/// Bytes from hexadecimal digits; spaces are ignored.
func hexadecimalBytes(_ text: String) -> [UInt8] {
  let digits = Array(text.utf8.filter { $0 != UInt8(ascii: " ") })
  precondition(digits.count % 2 == 0, "odd number of hexadecimal digits")
  return stride(from: 0, to: digits.count, by: 2).map {
    UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
  }
}

/// When the environment names a directory in `STARLING_FUZZ_WRITE_SEEDS`, writes each of
/// `seeds()` there as one file and exits: `Fuzz/run.sh --write-seeds` makes the committed corpus
/// this way. Each seed is first run through `testOneInput`, so a seed that no longer decodes (or
/// re-encodes differently) stops the generator instead of landing in the corpus.
func writeSeedsIfAsked(
  _ seeds: () -> [Seed], testOneInput: (UnsafeRawPointer?, Int) -> CInt,
  decodes: (ArraySlice<UInt8>) -> Bool
) {
  guard let variable = getenv("STARLING_FUZZ_WRITE_SEEDS") else { return }
  let directory = String(cString: variable)
  for seed in seeds() {
    precondition(decodes(seed.bytes[...]), "seed \(seed.name) does not decode")
    _ = seed.bytes.withUnsafeBytes { testOneInput($0.baseAddress, $0.count) }
    let path = directory + "/" + seed.name
    guard let file = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    let written = seed.bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let isClosed = fclose(file) == 0
    precondition(written == seed.bytes.count && isClosed, "cannot write \(path)")
  }
  print("wrote \(seeds().count) seeds to \(directory)")
  exit(0)
}
