import Testing

@testable import Wire

@Suite struct WireErrorTests {
  @Test func descriptionsNameTheFieldAndTheNumbers() {
    #expect(
      WireError.lengthTooLarge(field: "RoundMessage.update.values", length: 9, maximum: 8)
        .description == "RoundMessage.update.values: length 9 exceeds the maximum 8")
    #expect(
      WireError.truncated(needed: 8, available: 3).description
        == "truncated input: needed 8 bytes, 3 available")
    #expect(WireError.unknownTag(type: "Message", tag: 7).description == "Message: unknown tag 7")
    #expect(
      WireError.unsupportedVersion(found: 2).description
        == "unsupported protocol version 2 (this peer speaks 1)")
    #expect(WireError.trailingBytes(count: 4).description.hasPrefix("4 unexpected bytes"))
    #expect(
      WireError.invalidValue(field: "MemberStatus", reason: "raw value 9 is out of range")
        .description == "MemberStatus: raw value 9 is out of range")
    #expect(WireError.badMagic.description.contains("magic"))
  }

  @Test func errorsWithDifferentAssociatedValuesAreDifferent() {
    #expect(WireError.truncated(needed: 1, available: 0) != .truncated(needed: 2, available: 0))
    #expect(WireError.unknownTag(type: "A", tag: 1) != .unknownTag(type: "B", tag: 1))
  }
}
