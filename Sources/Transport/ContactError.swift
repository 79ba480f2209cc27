/// Why a contact (`KEY@host:port`) or a listen address (`host:port`) was refused. Each
/// description says what is wrong and what the text should look like.
public enum ContactError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The text is empty.
  case empty
  /// The text is longer than its bound (`Contact.textBytesMax`).
  case tooLong(byteCount: Int, maximum: Int)
  /// A byte outside printable ASCII (a space, a control character, non-ASCII) at `offset`.
  case invalidCharacter(offset: Int)
  /// No `KEY@` in front of the address: a bare `host:port` is refused, since the transport
  /// would then have no key to check the peer against.
  case missingKey(text: String)
  /// The key before `@` is not 40 characters long.
  case keyWrongLength(characterCount: Int)
  /// The key is 40 characters long but is not the Z85 text of a 32-byte key.
  case keyNotZ85(key: String)
  /// No `:port` after the host.
  case missingPort(text: String)
  /// The port is not a decimal number from 0 to 65535 without leading zeros.
  case invalidPort(text: String)
  /// Port 0 names no peer (it asks the system for a free port when listening).
  case portZero
  /// An IPv6 address without brackets (`::1:7400` instead of `[::1]:7400`).
  case unbracketedIPv6(host: String)
  /// The host is neither an IPv4 address, a bracketed IPv6 address, nor a DNS name.
  case invalidHost(host: String, reason: String)

  public var description: String {
    switch self {
    case .empty:
      "an empty contact; expected KEY@host:port"
    case .tooLong(let byteCount, let maximum):
      "a contact of \(byteCount) bytes; at most \(maximum) are allowed"
    case .invalidCharacter(let offset):
      "a contact may hold only printable ASCII characters; byte \(offset) is not one"
    case .missingKey(let text):
      "'\(text)' has no CURVE key: a contact is KEY@host:port, where KEY is the peer's CURVE "
        + "public key in Z85 (40 characters); a bare host:port is refused because the peer "
        + "could then not be authenticated"
    case .keyWrongLength(let characterCount):
      "a contact's key has \(characterCount) characters; a Z85 CURVE key has exactly 40"
    case .keyNotZ85(let key):
      "'\(key)' is not the Z85 text of a 32-byte CURVE key"
    case .missingPort(let text):
      "'\(text)' has no port; expected host:port"
    case .invalidPort(let text):
      "'\(text)' is not a port: expected a decimal number from 1 to 65535"
    case .portZero:
      "port 0 names no peer"
    case .unbracketedIPv6(let host):
      "'\(host)' looks like an IPv6 address: write it in brackets, as [\(host)]:port"
    case .invalidHost(let host, let reason):
      "'\(host)' is not a host: \(reason)"
    }
  }
}
