import Testing

@testable import Transport

struct AddressKeyTests {
  @Test func anIPv4SubnetIsItsSlash24() {
    #expect(AddressKey(parsing: "10.1.2.3").subnet == AddressKey(parsing: "10.1.2.200").subnet)
    #expect(AddressKey(parsing: "10.1.2.3").subnet == AddressKey(parsing: "10.1.2.0"))
    #expect(AddressKey(parsing: "10.1.2.3").subnet != AddressKey(parsing: "10.1.3.3").subnet)
    #expect(AddressKey(parsing: "10.1.2.3") != AddressKey(parsing: "10.1.2.4"))
  }

  @Test func anIPv6SubnetIsItsSlash56() {
    let first = AddressKey(parsing: "2001:db8:aa:bb00::1")
    #expect(first.subnet == AddressKey(parsing: "2001:db8:aa:bbff:ffff::9").subnet)
    #expect(first.subnet == AddressKey(parsing: "2001:db8:aa:bb00::"))
    #expect(first.subnet != AddressKey(parsing: "2001:db8:aa:bc00::1").subnet)
    #expect(first != AddressKey(parsing: "2001:db8:aa:bb00::2"))
  }

  @Test func anIPv4MappedIPv6AddressCountsAsItsIPv4Address() {
    #expect(AddressKey(parsing: "::ffff:10.1.2.3") == AddressKey(parsing: "10.1.2.3"))
    #expect(
      AddressKey(parsing: "::ffff:10.1.2.3").subnet == AddressKey(parsing: "10.1.2.99").subnet)
    #expect(AddressKey(parsing: "::ffff:a01:203") == .ipv4(0x0A01_0203))
    // ::a01:203 (IPv4-compatible, deprecated) is not mapped.
    #expect(AddressKey(parsing: "::a01:203") != AddressKey(parsing: "10.1.2.3"))
  }

  @Test func textThatIsNoAddressIsKeptApart() {
    #expect(AddressKey(parsing: "unknown") == .other("unknown"))
    #expect(AddressKey(parsing: "unknown").subnet == .other("unknown"))
    #expect(AddressKey(parsing: "") != AddressKey(parsing: "unknown"))
  }
}
