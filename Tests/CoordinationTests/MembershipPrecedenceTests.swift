import Coordination
import Testing
import Wire

/// SWIM's precedence: a higher incarnation wins; at equal incarnation left > dead > suspect > alive.
@Suite struct MembershipPrecedenceTests {
  static func version(_ status: MemberStatus, _ incarnation: UInt64) -> MemberVersion {
    MemberVersion(status: status, incarnation: incarnation)
  }

  static let table: [(new: MemberVersion, old: MemberVersion, supersedes: Bool)] = [
    (version(.alive, 1), version(.suspect, 0), true),  // a refutation
    (version(.alive, 0), version(.suspect, 0), false),  // a stale alive cannot clear suspicion
    (version(.suspect, 0), version(.alive, 0), true),
    (version(.suspect, 0), version(.alive, 1), false),  // suspicion of an older life
    (version(.dead, 0), version(.suspect, 0), true),
    (version(.suspect, 0), version(.dead, 0), false),
    (version(.dead, 0), version(.alive, 0), true),
    (version(.left, 0), version(.dead, 0), true),
    (version(.dead, 0), version(.left, 0), false),
    (version(.left, 3), version(.alive, 3), true),
    (version(.alive, 2), version(.dead, 1), true),  // a restart
    (version(.dead, 1), version(.alive, 2), false),
    (version(.suspect, 1), version(.left, 0), true),
    (version(.alive, 0), version(.alive, 0), false),  // a repeat changes nothing
    (version(.dead, 5), version(.dead, 5), false),
  ]

  @Test(arguments: table)
  func supersedesByIncarnationThenStatus(
    new: MemberVersion, old: MemberVersion, supersedes: Bool
  ) {
    #expect(new.supersedes(old) == supersedes)
  }

  @Test func precedenceIsATotalOrderOverEveryPair() {
    let versions = MemberStatus.allCases.flatMap { status in
      (0...2).map { MemberVersion(status: status, incarnation: UInt64($0)) }
    }
    for new in versions {
      for old in versions {
        let expected =
          new.incarnation > old.incarnation
          || (new.incarnation == old.incarnation && new.status.rawValue > old.status.rawValue)
        #expect(new.supersedes(old) == expected, "\(new) over \(old)")
        #expect(new == old || new.supersedes(old) != old.supersedes(new))
      }
    }
  }

  /// Two rumours about one member, in both orders, reach a member that knows it alive at 0: the
  /// final view is the highest of the three versions whatever the order.
  @Test(
    arguments: MemberStatus.allCases.flatMap { first in
      MemberStatus.allCases.map { second in [first, second] }
    })
  func appliedRumoursKeepTheHighestVersion(statuses: [MemberStatus]) {
    let subject = MembershipNetwork.record(2)
    let sender = MembershipNetwork.record(1)
    for first in UInt64(0)...2 {
      for second in UInt64(0)...2 {
        var node = Membership(
          myself: MembershipNetwork.record(0), seed: 5, knownMembers: [sender, subject])
        let rumours = [
          MemberUpdate(
            peer: subject.peer, status: statuses[0], incarnation: first,
            record: statuses[0] == .alive ? subject : nil),
          MemberUpdate(
            peer: subject.peer, status: statuses[1], incarnation: second,
            record: statuses[1] == .alive ? subject : nil),
        ]
        for rumour in rumours {
          _ = node.handle(
            .received(from: sender.peer, .ping(sequence: 1, gossip: [rumour]), now: 10))
        }
        let expected = [
          MemberVersion(status: .alive, incarnation: 0), MemberVersion(rumours[0]),
          MemberVersion(rumours[1]),
        ].max()!
        #expect(node.member(subject.peer)?.version == expected, "\(rumours)")
      }
    }
  }
}
