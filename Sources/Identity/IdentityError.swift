#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a key file could not be used. Each description names the path and the cause in plain
/// words, and how to fix it where there is one fix.
public enum IdentityError: Error, Equatable, CustomStringConvertible {
  /// Users other than the owner have some access to the key file (`mode` is its permission bits).
  case keyFileNotPrivate(path: String, mode: UInt32)
  /// The path is not a regular file.
  case keyFileNotRegular(path: String, kind: FileKind)
  /// The file is not exactly `SigningKeyPair.seedByteCount` bytes long.
  case keyFileWrongSize(path: String, byteCount: Int)
  /// The file belongs to another user.
  case keyFileWrongOwner(path: String, ownerID: UInt32, userID: UInt32)
  /// `KeyStore.create` found a file already there (it never overwrites a key).
  case keyFileExists(path: String)
  /// A component of the key file's directory exists but is not a directory.
  case notADirectory(path: String)
  /// A system call failed: `errorNumber` is its `errno`.
  case systemCall(path: String, operation: Operation, errorNumber: Int32)

  /// What a path that should be a regular file turned out to be.
  public enum FileKind: String, Sendable {
    case directory = "a directory"
    case symbolicLink = "a symbolic link"
    case fifo = "a named pipe"
    case socket = "a socket"
    case device = "a device"
    case unknown = "not a regular file"
  }

  /// What the failed system call was doing, as words that follow "could not".
  public enum Operation: String, Sendable {
    case inspect = "inspect"
    case open = "open the key file"
    case create = "create the key file"
    case read = "read the key file"
    case write = "write the key file"
    case syncFile = "sync the key file to disk"
    case createDirectory = "create the directory"
    case syncDirectory = "sync the directory"
  }

  public var description: String {
    switch self {
    case .keyFileNotPrivate(let path, let mode):
      "refusing the key file \(path): \(Self.access(mode)) (mode \(Self.octal(mode))); only its "
        + "owner may have access, so run `chmod 600 \(path)`"
    case .keyFileNotRegular(let path, let kind):
      "refusing the key file \(path): it is \(kind.rawValue), not a regular file"
    case .keyFileWrongSize(let path, let byteCount):
      "refusing the key file \(path): it holds \(byteCount) bytes, but a key file holds exactly "
        + "\(SigningKeyPair.seedByteCount) (an Ed25519 seed); it is damaged or not a key file"
    case .keyFileWrongOwner(let path, let ownerID, let userID):
      "refusing the key file \(path): it belongs to user \(ownerID), not to this user (\(userID))"
    case .keyFileExists(let path):
      "a key file already exists at \(path); a key is never overwritten"
    case .notADirectory(let path):
      "\(path) is not a directory, so it cannot hold a key file"
    case .systemCall(let path, let operation, let errorNumber):
      "could not \(operation.rawValue) \(path): \(String(cString: strerror(errorNumber)))"
    }
  }

  /// Who besides the owner has what access, from the group and other permission bits of `mode`:
  /// "its group can read it", "its group and other users can read and change it", ...
  private static func access(_ mode: UInt32) -> String {
    func verb(_ bits: UInt32) -> String? {
      switch (bits & 4 != 0, bits & 2 != 0) {
      case (true, true): "can read and change it"
      case (true, false): "can read it"
      case (false, true): "can change it"
      case (false, false): bits & 1 != 0 ? "can execute it" : nil
      }
    }
    let group = verb(mode >> 3 & 7)
    let others = verb(mode & 7)
    switch (group, others) {
    case (let group?, let others?) where group == others:
      return "its group and other users " + group
    case (let group?, let others?): return "its group " + group + " and other users " + others
    case (let group?, nil): return "its group " + group
    default: return "other users " + (others ?? "have access")
    }
  }

  private static func octal(_ mode: UInt32) -> String {
    let digits = String(mode & 0o7777, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }
}
