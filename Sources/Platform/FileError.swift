#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a file or directory could not be read or written, in plain words that name the path.
///
/// Every file that Starling reads or writes on behalf of a user or a peer goes through `Platform`, so
/// a directory given as a file, a FIFO, a symbolic-link loop or a full disk always ends in one of
/// these cases with the same wording, never in a hang, a crash or a raw system error dump.
public enum FileError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Nothing exists at `path`.
  case missing(path: String)
  /// `path` names a directory where a file is wanted.
  case isDirectory(path: String)
  /// `path` names something other than a regular file (`kind`: "a FIFO", "a socket", ...).
  case notRegularFile(path: String, kind: String)
  /// `path` names something other than a directory where a directory is wanted.
  case notDirectory(path: String)
  /// The file is larger than the reader accepts; it is not read past `bytesMax`.
  case tooLarge(path: String, bytes: Int, bytesMax: Int)
  /// The system refused the operation; `reason` is in plain words ("permission denied").
  case system(path: String, operation: Operation, reason: String)

  /// What was being done when the system refused.
  public enum Operation: String, Sendable {
    case open = "open"
    case read = "read"
    case write = "write"
    case create = "create"
  }

  /// The path the error is about.
  public var path: String {
    switch self {
    case .missing(let path), .isDirectory(let path), .notRegularFile(let path, _),
      .notDirectory(let path), .tooLarge(let path, _, _), .system(let path, _, _):
      path
    }
  }

  /// The cause without the path, for messages that name the path their own way.
  public var reason: String {
    switch self {
    case .missing: "no such file"
    case .isDirectory: "is a directory"
    case .notRegularFile(_, let kind): "is \(kind), not a regular file"
    case .notDirectory: "is not a directory"
    case .tooLarge(_, let bytes, let bytesMax):
      "is \(bytes) bytes, more than the limit of \(bytesMax)"
    case .system(_, let operation, let reason): "cannot \(operation.rawValue): \(reason)"
    }
  }

  public var description: String { "'\(path)' \(reason)" }

  /// The error for a failed system call on `path`, from its `errno`.
  static func fromSystem(_ code: Int32, path: String, operation: Operation) -> FileError {
    switch code {
    case ENOENT where operation != .create: .missing(path: path)
    case EISDIR: .isDirectory(path: path)
    default: .system(path: path, operation: operation, reason: plainReason(code))
    }
  }

  /// The system's reason for `code` in plain words; the common ones are worded for a user.
  public static func plainReason(_ code: Int32) -> String {
    switch code {
    case EACCES, EPERM: "permission denied"
    case ENOENT: "no such file or directory"
    case ENOTDIR: "a component of the path is not a directory"
    case ELOOP: "too many levels of symbolic links (a symbolic link loop?)"
    case EISDIR: "is a directory"
    case EROFS: "the file system is read-only"
    case ENOSPC: "no space left on the device"
    case EDQUOT: "the disk quota is exhausted"
    case ENAMETOOLONG: "the path is too long"
    case EEXIST: "it already exists"
    case EXDEV: "it is on another file system"
    default: String(cString: strerror(code)).lowercased()
    }
  }
}

/// What kind of thing a `stat` mode describes, as a phrase for `FileError.notRegularFile`.
func kindPhrase(_ mode: mode_t) -> String {
  switch mode & S_IFMT {
  case S_IFDIR: "a directory"
  case S_IFIFO: "a FIFO (named pipe)"
  case S_IFSOCK: "a socket"
  case S_IFCHR: "a character device"
  case S_IFBLK: "a block device"
  case S_IFLNK: "a symbolic link"
  default: "a special file"
  }
}
