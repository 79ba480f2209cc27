/// The bytes of a file read from start to end, gunzipped on the way when the file is gzip.
///
/// Whether a file is gzip is decided by its first two bytes (`1f 8b`), not by its name, so a
/// `.gz` file renamed without the suffix still reads. Formats such as IDX, whose own magic numbers
/// start with `00`, cannot be mistaken for gzip.
final class ByteStream {
  /// First two bytes of every gzip file.
  static let gzipMagic: (UInt8, UInt8) = (0x1F, 0x8B)
  /// Buffer growth step when the final size is not known in advance.
  static let growthChunkBytes = 4 << 20
  /// The most a gzip file's declared contents may exceed its compressed size. Deflate's own
  /// limit is about 1032:1 (long runs of one byte); image and label data compress by under 10:1
  /// (Fashion-MNIST: 1.8, MNIST: 4.8), so 256 leaves room for sparse data and refuses headers
  /// that promise gigabytes from kilobytes.
  static let inflationRatioMax = 256
  /// Declared sizes up to this many bytes are allowed whatever the ratio (tiny files have
  /// headers that dominate their compressed size).
  static let inflationCheckBytesMin = 1 << 20

  let path: String
  private let file: OpenFile
  private let inflater: GzipInflater?
  /// Decoded bytes delivered so far.
  private(set) var position = 0

  /// Opens `path`.
  ///
  /// - Throws: `DatasetError.fileMissing`, `.unreadable`, or `.corruptGzip` when zlib cannot start.
  init(path: String) throws(DatasetError) {
    self.path = path
    let file = try OpenFile(path: path)
    var magic: (UInt8, UInt8) = (0, 0)
    let count = try withUnsafeMutableBytes(of: &magic) { bytes throws(DatasetError) in
      try file.read(into: bytes, at: 0)
    }
    let isGzip = count == 2 && magic == Self.gzipMagic
    self.file = file
    self.inflater = isGzip ? try GzipInflater(file: file) : nil
  }

  /// Whether the file is gzip-compressed.
  var isGzip: Bool { inflater != nil }

  /// Reads until `buffer` is full or the stream ends; returns the number of bytes read.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetError) -> Int {
    let count =
      if let inflater { try inflater.read(into: buffer) } else { try file.read(into: buffer) }
    position += count
    return count
  }

  /// Reads exactly `count` more bytes and requires the stream to end right after them.
  ///
  /// Reads straight into the returned array when the final size is known beforehand (always for
  /// plain files; for gzip when the trailer's recorded size agrees), and in growing chunks
  /// otherwise, so a header that claims more data than the file holds cannot make it allocate
  /// much more than the file's real contents.
  ///
  /// - Throws: `DatasetError.truncated` when the stream ends early, `.tooLong` when data follows.
  func readToEnd(exactly count: Int) throws(DatasetError) -> [UInt8] {
    precondition(count >= 0, "negative byte count")
    let expectedTotal = position + count
    if isGzip, expectedTotal > Self.inflationCheckBytesMin {
      let (plausible, overflow) = file.size.multipliedReportingOverflow(by: Self.inflationRatioMax)
      if !overflow && expectedTotal > plausible {
        throw .implausibleInflation(
          path: path, declaredBytes: expectedTotal, compressedBytes: file.size,
          ratioMax: Self.inflationRatioMax)
      }
    }
    if !isGzip && file.size != expectedTotal {
      if file.size > expectedTotal { throw .tooLong(path: path, expectedBytes: expectedTotal) }
      throw .truncated(path: path, expectedBytes: expectedTotal, actualBytes: file.size)
    }
    var isSizeKnown = true
    if let inflater { isSizeKnown = try inflater.recordedSize() == expectedTotal & 0xFFFF_FFFF }
    let bytes = try isSizeKnown ? readDirectly(count) : readInChunks(count)
    try requireEnd()
    return bytes
  }

  /// Reads the whole rest of the stream, which may hold at most `limit` bytes.
  ///
  /// - Throws: `DatasetError.fileTooLarge` when the stream holds more than `limit` bytes.
  func readToEnd(limit: Int) throws(DatasetError) -> [UInt8] {
    if !isGzip {
      guard file.size <= limit else {
        throw .fileTooLarge(path: path, bytes: file.size, limit: limit)
      }
      return try readDirectly(file.size - position)
    }
    var bytes: [UInt8] = []
    while true {
      let requested = min(Self.growthChunkBytes, limit - bytes.count + 1)
      let chunk = try readChunk(requested)
      bytes += chunk
      guard bytes.count <= limit else {
        throw .fileTooLarge(path: path, bytes: position, limit: limit)
      }
      if chunk.count < requested { return bytes }
    }
  }

  private func readDirectly(_ count: Int) throws(DatasetError) -> [UInt8] {
    let start = position
    let bytes = try readChunk(count)
    guard bytes.count == count else {
      throw .truncated(path: path, expectedBytes: start + count, actualBytes: position)
    }
    return bytes
  }

  private func readInChunks(_ count: Int) throws(DatasetError) -> [UInt8] {
    let start = position
    var bytes: [UInt8] = []
    while bytes.count < count {
      let chunk = try readChunk(min(Self.growthChunkBytes, count - bytes.count))
      if chunk.isEmpty {
        throw .truncated(path: path, expectedBytes: start + count, actualBytes: position)
      }
      bytes += chunk
    }
    return bytes
  }

  /// Up to `count` bytes; fewer only at the end of the stream.
  private func readChunk(_ count: Int) throws(DatasetError) -> [UInt8] {
    var failure: DatasetError?
    let chunk = [UInt8](unsafeUninitializedCapacity: count) { buffer, initializedCount in
      do throws(DatasetError) {
        initializedCount = try read(into: UnsafeMutableRawBufferPointer(buffer))
      } catch {
        failure = error
        initializedCount = 0
      }
    }
    if let failure { throw failure }
    return chunk
  }

  /// Requires the stream to hold nothing more; for gzip this also checks the final CRC.
  private func requireEnd() throws(DatasetError) {
    let expectedTotal = position
    var extra: UInt8 = 0
    let count = try withUnsafeMutableBytes(of: &extra) { bytes throws(DatasetError) in
      try read(into: bytes)
    }
    if count > 0 { throw .tooLong(path: path, expectedBytes: expectedTotal) }
  }
}
