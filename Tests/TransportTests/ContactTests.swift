import Testing
import Transport
import Wire

/// Contacts (`KEY@host:port`) and the addresses inside them.
struct ContactTests {
  static let key = String(repeating: "HelloWorld", count: 4)

  static let wellFormed: [(String, String, UInt16, NetworkAddress.HostKind)] = [
    ("127.0.0.1:7400", "127.0.0.1", 7400, .ipv4),
    ("[::1]:7400", "::1", 7400, .ipv6),
    ("[fd00::2]:1", "fd00::2", 1, .ipv6),
    ("peer.example.org:65535", "peer.example.org", 65535, .name),
    ("localhost:80", "localhost", 80, .name),
  ]

  @Test(arguments: wellFormed)
  func wellFormedContactsParse(
    address: String, host: String, port: UInt16, kind: NetworkAddress.HostKind
  ) throws {
    let contact = try Contact(parsing: Self.key + "@" + address)
    #expect(contact.curveKey.z85 == Self.key)
    #expect(contact.address.host == host)
    #expect(contact.address.port == port)
    #expect(contact.address.hostKind == kind)
    #expect(contact.description == Self.key + "@" + address)
  }

  @Test func aKeyMayHoldAnAtSign() throws {
    // 81 is '@' in Z85's alphabet, so a last group of value 81 ends the key's text with '@'.
    let key = try #require(
      CurvePublicKey(bytes: [UInt8](repeating: 0, count: 28) + [0x00, 0x00, 0x00, 81]))
    #expect(key.z85.hasSuffix("0000@"))
    let contact = try Contact(parsing: key.z85 + "@127.0.0.1:1")
    #expect(contact.curveKey == key)
  }

  @Test func aBareHostAndPortIsRefusedAsMissingItsKey() {
    #expect(throws: ContactError.missingKey(text: "127.0.0.1:7400")) {
      try Contact(parsing: "127.0.0.1:7400")
    }
    #expect(ContactError.missingKey(text: "x").description.contains("bare host:port is refused"))
  }

  static let malformed: [(String, ContactError)] = [
    ("", .empty),
    ("abc@127.0.0.1:1", .keyWrongLength(characterCount: 3)),
    (
      String(repeating: "%", count: 40) + "@127.0.0.1:1",
      .keyNotZ85(key: String(repeating: "%", count: 40))
    ),
    (key + "@127.0.0.1", .missingPort(text: "127.0.0.1")),
    (key + "@127.0.0.1:", .invalidPort(text: "")),
    (key + "@127.0.0.1:65536", .invalidPort(text: "65536")),
    (key + "@127.0.0.1:07400", .invalidPort(text: "07400")),
    (key + "@127.0.0.1:+1", .invalidPort(text: "+1")),
    (key + "@127.0.0.1:0", .portZero),
    (key + "@::1:7400", .unbracketedIPv6(host: "::1")),
    (key + "@[::1]7400", .missingPort(text: "[::1]7400")),
    (
      key + "@[::1:7400",
      .invalidHost(host: "[::1:7400", reason: "an IPv6 address opened with '[' is never closed")
    ),
    (key + "@[]:1", .invalidHost(host: "[]", reason: "the brackets are empty")),
    (key + "@[zz::1]:1", .invalidHost(host: "zz::1", reason: "not an IPv6 address")),
    (
      key + "@256.0.0.1:1",
      .invalidHost(host: "256.0.0.1", reason: "not an IPv4 address (four numbers 0-255)")
    ),
    (
      key + "@1.2.3:1",
      .invalidHost(host: "1.2.3", reason: "not an IPv4 address (four numbers 0-255)")
    ),
    (key + "@:1", .invalidHost(host: "", reason: "the host is empty")),
    (key + " @127.0.0.1:1", .invalidCharacter(offset: 40)),
    (key + "@127.0.0.1:1\n", .invalidCharacter(offset: 52)),
  ]

  @Test(arguments: malformed)
  func malformedContactsAreRefusedWithTheirReason(text: String, expected: ContactError) {
    #expect(throws: expected) { try Contact(parsing: text) }
  }

  @Test(arguments: ["-peer.org", "peer-.org", "pe_er.org", "peer..org", "peer.org."])
  func malformedNamesAreRefused(host: String) {
    #expect {
      try Contact(parsing: Self.key + "@" + host + ":1")
    } throws: { error in
      if case .invalidHost = error as? ContactError { true } else { false }
    }
  }

  @Test func lengthsAreBounded() throws {
    let label = String(repeating: "a", count: 63)
    let longestName = [label, label, label, String(repeating: "a", count: 61)].joined(
      separator: ".")
    #expect(longestName.utf8.count == NetworkAddress.hostNameBytesMax)
    // A contact fits a PeerAddress (it is remembered in the store and carried by SWIM): a
    // 208-byte host is the longest, and a valid 253-byte DNS name is refused, not a trap later.
    let longestHost = String(longestName.utf8.prefix(208))!
    let longest = Self.key + "@" + longestHost + ":65535"
    #expect(
      longest.utf8.count == Contact.textBytesMax && Contact.textBytesMax == PeerAddress.bytesMax)
    #expect(throws: Never.self) { try Contact(parsing: longest) }
    #expect(
      throws: ContactError.tooLong(
        byteCount: Contact.textBytesMax + 1, maximum: Contact.textBytesMax)
    ) {
      try Contact(parsing: Self.key + "@a" + longestHost + ":65535")
    }
    #expect(
      throws: ContactError.tooLong(
        byteCount: 40 + 1 + NetworkAddress.hostNameBytesMax + 6, maximum: Contact.textBytesMax)
    ) {
      try Contact(parsing: Self.key + "@" + longestName + ":65535")
    }
    #expect {
      try Contact(parsing: Self.key + "@" + String(repeating: "a", count: 64) + ":1")
    } throws: { error in
      if case .invalidHost = error as? ContactError { true } else { false }
    }
  }

  @Test func listenAddressesMayUsePortZero() throws {
    let address = try NetworkAddress(parsing: "0.0.0.0:0")
    #expect(address.port == 0)
    #expect(address.description == "0.0.0.0:0")
    #expect(throws: ContactError.missingPort(text: "127.0.0.1")) {
      try NetworkAddress(parsing: "127.0.0.1")
    }
  }
}
