#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A TCP address as `host:port`: an IPv4 address (`127.0.0.1:7400`), an IPv6 address in
/// brackets (`[::1]:7400`) or a DNS name (`peer.example.org:7400`).
///
/// Parsing is strict: every part is checked and nothing is guessed. Port 0 is allowed here (a
/// listener on port 0 gets a free port from the system); a `Contact` refuses it.
public struct NetworkAddress: Hashable, Sendable, CustomStringConvertible {
  /// What kind of host the address names.
  public enum HostKind: Sendable, Hashable {
    case ipv4
    case ipv6
    case name
  }

  /// The longest DNS name: 253 bytes.
  public static let hostNameBytesMax = 253
  /// The longest label of a DNS name: 63 bytes.
  static let labelBytesMax = 63

  /// The host without brackets (`::1`, `127.0.0.1`, `peer.example.org`).
  public let host: String
  public let port: UInt16
  public let hostKind: HostKind

  /// Parses `host:port`.
  public init(parsing text: String) throws(ContactError) {
    guard !text.isEmpty else { throw .empty }
    let (host, portText) = try Self.split(text)
    self.hostKind = try Self.kind(of: host)
    self.host = String(host)
    self.port = try Self.port(portText)
  }

  /// An address from parts already checked.
  init(host: String, port: UInt16, hostKind: HostKind) {
    self.host = String(host)
    self.port = port
    self.hostKind = hostKind
  }

  /// `host:port`, with the host in brackets when it is an IPv6 address.
  public var description: String { bracketedHost + ":" + String(port) }

  /// The ZeroMQ endpoint: `tcp://host:port`.
  var endpoint: String { "tcp://" + description }

  private var bracketedHost: String { hostKind == .ipv6 ? "[" + host + "]" : host }

  /// The host and the port text, split at the colon after the host.
  private static func split(_ text: String) throws(ContactError) -> (Substring, Substring) {
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else {
        throw .invalidHost(host: text, reason: "an IPv6 address opened with '[' is never closed")
      }
      let host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { throw .missingPort(text: text) }
      guard !host.isEmpty else { throw .invalidHost(host: "[]", reason: "the brackets are empty") }
      // `kind(of:)` would take `[1.2.3.4]` or `[peer.org]` for an IPv4 address or a name, which
      // prints without its brackets: a second spelling of the same address.
      guard host.contains(":") else {
        throw .invalidHost(host: String(host), reason: "only an IPv6 address goes in brackets")
      }
      return (host, rest.dropFirst())
    }
    guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text: text) }
    let host = text[..<colon]
    guard !host.contains(":") else { throw .unbracketedIPv6(host: String(host)) }
    return (host, text[text.index(after: colon)...])
  }

  private static func kind(of host: Substring) throws(ContactError) -> HostKind {
    let text = String(host)
    guard !text.isEmpty else { throw .invalidHost(host: text, reason: "the host is empty") }
    if text.contains(":") {
      guard isAddress(text, family: AF_INET6) else {
        throw .invalidHost(host: text, reason: "not an IPv6 address")
      }
      return .ipv6
    }
    if text.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || (0x30...0x39).contains($0) }) {
      guard isAddress(text, family: AF_INET) else {
        throw .invalidHost(host: text, reason: "not an IPv4 address (four numbers 0-255)")
      }
      return .ipv4
    }
    try checkName(text)
    return .name
  }

  /// Checks a DNS name: dot-separated labels of letters, digits and hyphens, 1-63 bytes each,
  /// neither starting nor ending with a hyphen, at most 253 bytes in all.
  private static func checkName(_ name: String) throws(ContactError) {
    guard name.utf8.count <= hostNameBytesMax else {
      throw .invalidHost(host: name, reason: "longer than \(hostNameBytesMax) bytes")
    }
    for label in name.split(separator: ".", omittingEmptySubsequences: false) {
      let bytes = Array(label.utf8)
      guard !bytes.isEmpty, bytes.count <= labelBytesMax else {
        throw .invalidHost(host: name, reason: "each dot-separated label has 1-63 characters")
      }
      guard bytes.allSatisfy(isNameByte), bytes.first != hyphen, bytes.last != hyphen else {
        throw .invalidHost(
          host: name,
          reason: "a name holds letters, digits and inner hyphens, separated by dots")
      }
    }
  }

  private static let hyphen = UInt8(ascii: "-")

  private static func isNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), hyphen:
      true
    default: false
    }
  }

  private static func isAddress(_ text: String, family: Int32) -> Bool {
    var storage = [UInt8](repeating: 0, count: 16)
    return inet_pton(family, text, &storage) == 1
  }

  /// A decimal port, 0 to 65535, without a sign or leading zeros.
  private static func port(_ text: Substring) throws(ContactError) -> UInt16 {
    let digits = Array(text.utf8)
    guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy({ (0x30...0x39).contains($0) }),
      digits.count == 1 || digits.first != UInt8(ascii: "0"),
      let value = UInt16(text)
    else { throw .invalidPort(text: String(text)) }
    return value
  }
}
