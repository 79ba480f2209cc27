import Platform

/// A dataset file opened for reading: `Platform.RegularFile` with its errors as `DatasetError`.
///
/// `RegularFile` refuses FIFOs, sockets and devices before any blocking read, so a special file
/// given as a dataset is an error at once, never a hang.
final class OpenFile {
  let path: String
  /// Size of the file in bytes when it was opened.
  let size: Int
  private let file: RegularFile

  /// Opens `path` for reading.
  ///
  /// - Throws: `DatasetError.fileMissing` when nothing exists at `path`, `.unreadable` when it
  ///   cannot be opened or is not a regular file.
  init(path: String) throws(DatasetError) {
    self.path = path
    do {
      file = try RegularFile(path: path)
    } catch {
      throw DatasetError(error)
    }
    size = file.size
  }

  /// Reads from the current position until `buffer` is full or the file ends.
  ///
  /// - Returns: the number of bytes read; less than `buffer.count` only at the end of the file.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetError) -> Int {
    do { return try file.read(into: buffer) } catch { throw DatasetError(error) }
  }

  /// Reads up to `buffer.count` bytes at `offset` without moving the current position.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(DatasetError) -> Int
  {
    do { return try file.read(into: buffer, at: offset) } catch { throw DatasetError(error) }
  }

  /// Moves the current position back to the start of the file.
  func rewind() throws(DatasetError) {
    do { try file.rewind() } catch { throw DatasetError(error) }
  }
}

extension DatasetError {
  /// A file error as the dataset error that names the same path and cause.
  init(_ error: FileError) {
    switch error {
    case .missing(let path): self = .fileMissing(path: path)
    case .tooLarge(let path, let bytes, let bytesMax):
      self = .fileTooLarge(path: path, bytes: bytes, limit: bytesMax)
    default: self = .unreadable(path: error.path, reason: error.reason)
    }
  }
}
