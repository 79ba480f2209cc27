#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file opened for reading through POSIX calls, closed when the value goes away.
///
/// POSIX rather than `FileHandle`: the readers fill caller-owned buffers (a dataset's own storage)
/// without an intermediate `Data`, and a failure maps onto `DatasetError` with the system's reason.
final class OpenFile {
  let path: String
  /// Size of the file in bytes when it was opened.
  let size: Int
  private let descriptor: Int32

  /// Opens `path` for reading.
  ///
  /// - Throws: `DatasetError.fileMissing` when nothing exists at `path`, `.unreadable` when it
  ///   cannot be opened or is a directory.
  init(path: String) throws(DatasetError) {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      if code == ENOENT { throw .fileMissing(path: path) }
      throw .unreadable(path: path, reason: systemMessage(code))
    }
    var information = stat()
    guard fstat(descriptor, &information) == 0 else {
      let code = errno
      _ = close(descriptor)
      throw .unreadable(path: path, reason: systemMessage(code))
    }
    guard (information.st_mode & S_IFMT) == S_IFREG else {
      _ = close(descriptor)
      throw .unreadable(path: path, reason: "not a regular file")
    }
    self.descriptor = descriptor
    self.size = Int(information.st_size)
  }

  deinit { _ = close(descriptor) }

  /// Reads from the current position until `buffer` is full or the file ends.
  ///
  /// - Returns: the number of bytes read; less than `buffer.count` only at the end of the file.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws(DatasetError) -> Int {
    var filled = 0
    while filled < buffer.count, let base = buffer.baseAddress {
      let result = systemRead(descriptor, base + filled, buffer.count - filled)
      if result > 0 {
        filled += result
      } else if result == 0 {
        break
      } else if errno != EINTR {
        throw .unreadable(path: path, reason: systemMessage(errno))
      }
    }
    return filled
  }

  /// Reads up to `buffer.count` bytes at `offset` without moving the current position.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(DatasetError) -> Int
  {
    var filled = 0
    while filled < buffer.count, let base = buffer.baseAddress {
      let result = pread(descriptor, base + filled, buffer.count - filled, off_t(offset + filled))
      if result > 0 {
        filled += result
      } else if result == 0 {
        break
      } else if errno != EINTR {
        throw .unreadable(path: path, reason: systemMessage(errno))
      }
    }
    return filled
  }

  /// Moves the current position back to the start of the file.
  func rewind() throws(DatasetError) {
    guard lseek(descriptor, 0, SEEK_SET) == 0 else {
      throw .unreadable(path: path, reason: systemMessage(errno))
    }
  }
}

/// POSIX `read`, reachable from `OpenFile`, whose own `read` methods hide it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int
{
  read(descriptor, buffer, count)
}

/// The system's explanation of an `errno` value.
func systemMessage(_ code: Int32) -> String {
  String(cString: strerror(code))
}
