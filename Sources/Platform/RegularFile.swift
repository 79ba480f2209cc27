#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A regular file opened for reading, closed when the value goes away.
///
/// The file is opened with `O_NONBLOCK` and checked with `fstat` before anything is read, so a
/// FIFO, a socket or a device given where a file is wanted is refused at once instead of blocking
/// in `open()` forever; then the descriptor goes back to blocking reads. Sizes are checked before
/// reading, so a limit holds without reading a large file whole first.
public final class RegularFile {
  public let path: String
  /// Size of the file in bytes when it was opened.
  public let size: Int
  private let descriptor: Int32

  /// Opens `path` for reading; refuses anything that is not a regular file.
  ///
  /// - Throws: `FileError.missing`, `.isDirectory`, `.notRegularFile`, `.system`.
  public init(path: String) throws(FileError) {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard descriptor >= 0 else { throw .fromSystem(errno, path: path, operation: .open) }
    var information = stat()
    guard fstat(descriptor, &information) == 0 else {
      let code = errno
      _ = close(descriptor)
      throw .fromSystem(code, path: path, operation: .open)
    }
    let kind = information.st_mode & S_IFMT
    guard kind == S_IFREG else {
      _ = close(descriptor)
      if kind == S_IFDIR { throw .isDirectory(path: path) }
      throw .notRegularFile(path: path, kind: kindPhrase(information.st_mode))
    }
    let flags = fcntl(descriptor, F_GETFL)
    guard flags >= 0, fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
      let code = errno
      _ = close(descriptor)
      throw .fromSystem(code, path: path, operation: .open)
    }
    self.descriptor = descriptor
    self.size = Int(information.st_size)
  }

  deinit { _ = close(descriptor) }

  /// The whole file, refused unseen when it is larger than `bytesMax`.
  ///
  /// - Throws: `FileError.tooLarge` (checked against the size before reading, and again against
  ///   what was read, for a file that grows), or the open and read errors.
  public static func contents(of path: String, bytesMax: Int) throws(FileError) -> [UInt8] {
    let file = try RegularFile(path: path)
    guard file.size <= bytesMax else {
      throw .tooLarge(path: path, bytes: file.size, bytesMax: bytesMax)
    }
    // Files of the kernel's pseudo file systems (`/proc/meminfo`) report size 0 and still hold
    // text: read until the end, in chunks, never past `bytesMax + 1` bytes.
    var bytes: [UInt8] = []
    var chunkBytes = max(file.size + 1, 4096)
    while bytes.count <= bytesMax {
      let wanted = min(chunkBytes, bytesMax + 1 - bytes.count)
      var failure: FileError?
      let chunk = [UInt8](unsafeUninitializedCapacity: wanted) { buffer, initialized in
        do throws(FileError) {
          initialized = try file.read(into: UnsafeMutableRawBufferPointer(buffer))
        } catch {
          failure = error
          initialized = 0
        }
      }
      if let failure { throw failure }
      bytes += chunk
      if chunk.count < wanted { break }
      chunkBytes = min(chunkBytes * 2, 64 << 20)
    }
    guard bytes.count <= bytesMax else {
      throw .tooLarge(path: path, bytes: bytes.count, bytesMax: bytesMax)
    }
    return bytes
  }

  /// Reads from the current position until `buffer` is full or the file ends.
  ///
  /// - Returns: the number of bytes read; less than `buffer.count` only at the end of the file.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws(FileError) -> Int {
    try fill(buffer) { base, count, _ in systemRead(descriptor, base, count) }
  }

  /// Reads up to `buffer.count` bytes at `offset` without moving the current position.
  public func read(
    into buffer: UnsafeMutableRawBufferPointer, at offset: Int
  ) throws(FileError) -> Int {
    try fill(buffer) { base, count, filled in
      pread(descriptor, base, count, off_t(offset + filled))
    }
  }

  /// Calls `readSome(destination, count, bytesFilledSoFar)` until `buffer` is full or it returns
  /// 0 (the end of the file), retrying on `EINTR`.
  private func fill(
    _ buffer: UnsafeMutableRawBufferPointer,
    _ readSome: (UnsafeMutableRawPointer, Int, Int) -> Int
  ) throws(FileError) -> Int {
    var filled = 0
    while filled < buffer.count, let base = buffer.baseAddress {
      let result = readSome(base + filled, buffer.count - filled, filled)
      if result > 0 {
        filled += result
      } else if result == 0 {
        break
      } else if errno != EINTR {
        throw .fromSystem(errno, path: path, operation: .read)
      }
    }
    return filled
  }

  /// Moves the current position back to the start of the file.
  public func rewind() throws(FileError) {
    guard lseek(descriptor, 0, SEEK_SET) == 0 else {
      throw .fromSystem(errno, path: path, operation: .read)
    }
  }
}

/// POSIX `read`, reachable from `RegularFile`, whose own `read` methods hide it.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int
{
  read(descriptor, buffer, count)
}
