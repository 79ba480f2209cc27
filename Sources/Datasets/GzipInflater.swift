import CZlib

/// Decompresses a gzip file through zlib, straight into the caller's buffers.
///
/// The compressed input is read in chunks of `inputChunkBytes`, so decompressing a 26 MB file
/// costs one chunk of memory besides the output. Files of several gzip members (`cat a.gz b.gz`)
/// decode as the concatenation of the members, as `gzip -d` does.
final class GzipInflater {
  /// Bytes of compressed input read from the file at a time.
  static let inputChunkBytes = 1 << 20
  /// Smallest possible gzip member: a 10-byte header and an 8-byte trailer.
  static let memberBytesMin = 18

  private let file: OpenFile
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawBufferPointer
  private var isInputExhausted = false
  private var isFinished = false

  /// Prepares to decompress `file` from its current position.
  init(file: OpenFile) throws(DatasetError) {
    self.file = file
    stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = UnsafeMutableRawBufferPointer.allocate(
      byteCount: Self.inputChunkBytes, alignment: 16)
    let status = inflateInit2_(
      stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      stream.deallocate()
      input.deallocate()
      throw .unreadable(path: file.path, reason: "zlib could not start (status \(status))")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
    input.deallocate()
  }

  /// The decompressed size that the file's last gzip trailer records, modulo 2^32.
  ///
  /// Exact for a single-member file under 4 GiB, which is what dataset files are; a hint for
  /// choosing a buffer size, never trusted for correctness.
  func recordedSize() throws(DatasetError) -> Int? {
    guard file.size >= Self.memberBytesMin else { return nil }
    var trailer: UInt32 = 0
    let count = try withUnsafeMutableBytes(of: &trailer) { bytes throws(DatasetError) in
      try file.read(into: bytes, at: file.size - 4)
    }
    return count == 4 ? Int(UInt32(littleEndian: trailer)) : nil
  }

  /// Decompresses until `buffer` is full or the gzip stream ends.
  ///
  /// - Returns: the number of bytes written; less than `buffer.count` only at the end.
  /// - Throws: `DatasetError.corruptGzip` when the data is damaged, fails its checksum, or the
  ///   file ends inside the stream.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetError) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    var produced = 0
    while produced < buffer.count && !isFinished {
      if stream.pointee.avail_in == 0 && !isInputExhausted { try refill() }
      let offered = min(buffer.count - produced, Int(UInt32.max))
      stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = UInt32(offered)
      let status = inflate(stream, Z_NO_FLUSH)
      produced += offered - Int(stream.pointee.avail_out)
      switch status {
      case Z_OK:
        continue
      case Z_STREAM_END:
        try finishMember()
      case Z_BUF_ERROR where isInputExhausted:
        throw .corruptGzip(path: file.path, reason: "the file ends inside the compressed stream")
      case Z_MEM_ERROR:
        throw .unreadable(path: file.path, reason: "out of memory while decompressing")
      default:
        throw .corruptGzip(path: file.path, reason: zlibMessage(status))
      }
    }
    return produced
  }

  /// Ends the stream after a member, or starts the next member when more input follows.
  private func finishMember() throws(DatasetError) {
    if stream.pointee.avail_in == 0 && !isInputExhausted { try refill() }
    if stream.pointee.avail_in == 0 {
      isFinished = true
    } else {
      inflateReset(stream)
    }
  }

  private func refill() throws(DatasetError) {
    let count = try file.read(into: input)
    isInputExhausted = count < input.count
    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = UInt32(count)
  }

  private func zlibMessage(_ status: Int32) -> String {
    if let message = stream.pointee.msg { return String(cString: message) }
    return "zlib status \(status)"
  }
}
