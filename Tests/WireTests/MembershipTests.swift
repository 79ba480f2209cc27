import Testing

@testable import Wire

/// `MemberRecord` shares its fields in one box but must behave as a plain value.
struct MembershipTests {
  static func record(address: String = "h:1") -> MemberRecord {
    MemberRecord(
      peer: PeerID(simulatedIndex: 1), address: PeerAddress(address),
      capacity: Capacity(samplesPerSecond: 1, bandwidthBytesPerSecond: 2),
      joinedAtMilliseconds: 5)
  }

  @Test func recordsWithEqualFieldsAreEqualAndHashAlikeAcrossBoxes() {
    let first = Self.record()
    let second = Self.record()
    #expect(first == second)
    #expect(first.hashValue == second.hashValue)
    #expect(first != Self.record(address: "h:2"))
  }

  @Test func settingAFieldChangesOnlyThatCopy() {
    let original = Self.record()
    var changed = original
    changed.joinedAtMilliseconds = 9
    changed.address = PeerAddress("h:2")
    #expect(original.joinedAtMilliseconds == 5)
    #expect(original.address == PeerAddress("h:1"))
    #expect(changed.joinedAtMilliseconds == 9)
    #expect(changed.address == PeerAddress("h:2"))
    #expect(changed.peer == original.peer)
  }
}
