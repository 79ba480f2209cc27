import Coordination
import Identity
import Testing
import Wire

@testable import Node

/// Signed council entries: every entry a leader appends carries its signature over the
/// project, its term, its index and its command, and a member that checks its coordinator
/// refuses an entry that is unsigned, altered, or signed in another's name
/// (`NodeController.entryRefusal`, `EntrySignatures`).
@Suite struct SignedEntryTests {
  static let project = [UInt8](repeating: 9, count: 32)
  static func key(_ index: UInt8) -> SigningKeyPair {
    SigningKeyPair(seed: [UInt8](repeating: index, count: 32))
  }

  let keys = (1...3).map { Self.key(UInt8($0)) }
  let outsiderKey = Self.key(9)
  var founders: [PeerID] { keys.map { PeerID(publicKey: $0.publicKey) } }

  /// A founder of a 3-member signing council that checks its coordinator.
  func member(_ me: PeerID, signs: Bool = true, ranked: Bool = false, council: [PeerID]? = nil)
    -> NodeController
  {
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: council ?? founders)
    settings.councilChecksCoordinator = true
    settings.handsOverToRankedCoordinator = ranked
    settings.aggregatorCount = 2
    if signs, let key = keys.first(where: { PeerID(publicKey: $0.publicKey) == me }) {
      settings.signing = ContributionSigning(project: Self.project, keyPair: key)
    }
    return NodeController(
      me: me, settings: settings, peers: founders.filter { $0 != me },
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: [0, 0, 0, 0], lastStartedRound: 0),
      seed: 3)
  }

  /// `command` at `index` of `term`, signed by `key` for `project`.
  func signed(
    _ command: CouncilCommand, term: UInt64 = 1, index: UInt64, by key: SigningKeyPair,
    project: [UInt8] = project
  ) -> LogEntry {
    var entry = LogEntry(term: term, index: index, command: command)
    let nonce = 1_000 + index
    entry.attestation = Attestation(
      publicKey: key.publicKey, nonce: nonce,
      signature: key.sign(SignedStatement.entry(project: project, entry, nonce: nonce)))
    return entry
  }

  func roles(_ coordinator: PeerID, _ aggregators: [PeerID]) -> CouncilCommand {
    .assignRoles(RoleAssignment(epoch: 0, coordinator: coordinator, aggregators: aggregators))
  }

  /// Why founder 1 refuses `entries`, appended after index 0 by founder 0 in `term`.
  func refusal(_ entries: [LogEntry], term: UInt64 = 1, signs: Bool = true) -> String? {
    var node = member(founders[1], signs: signs)
    return node.entryRefusal(
      in: entries, after: 0, previousTerm: 0, from: founders[0], term: term)?.evidence
  }

  @Test func theLeadersSignedEntriesPass() {
    let leader = keys[0]
    #expect(
      refusal([
        signed(.noOperation, index: 1, by: leader),
        signed(roles(founders[0], [founders[1], founders[2]]), index: 2, by: leader),
      ]) == nil)
    // An earlier leader's entries, relayed: each term has its own author.
    #expect(
      refusal(
        [
          signed(.noOperation, index: 1, by: keys[2]),
          signed(.noOperation, term: 2, index: 2, by: leader),
        ], term: 2) == nil)
  }

  @Test func anUnsignedOrAlteredEntryIsRefused() throws {
    let unsigned = LogEntry(term: 1, index: 1, command: .noOperation)
    #expect(try #require(refusal([unsigned])).contains("entry 1 carries no signature"))
    var altered = signed(roles(founders[0], [founders[1]]), index: 1, by: keys[0])
    altered.command = roles(founders[0], [founders[2]])
    #expect(try #require(refusal([altered])).contains("has a signature that does not verify"))
    var relabelled = signed(.noOperation, index: 1, by: keys[0])
    relabelled.term = 2
    #expect(refusal([relabelled], term: 2) != nil)
    let otherProject = signed(
      .noOperation, index: 1, by: keys[0], project: [UInt8](repeating: 1, count: 32))
    #expect(refusal([otherProject]) != nil)
    // A member that does not sign takes unsigned entries, as before.
    #expect(refusal([unsigned], signs: false) == nil)
  }

  @Test func anEntryInAnothersNameIsRefused() throws {
    // The leader's term is the leader's own.
    let inAnothersName = try #require(
      refusal([signed(.noOperation, term: 2, index: 1, by: keys[2])], term: 2))
    #expect(inAnothersName.contains("of term 2 is signed by \(founders[2]), not by its leader"))
    // One term, one author: the leader cannot add its own entries to an earlier leader's term.
    let mixed = try #require(
      refusal(
        [
          signed(.noOperation, index: 1, by: keys[2]),
          signed(.noOperation, index: 2, by: keys[0]),
        ], term: 2))
    #expect(mixed.contains("the entry before it in term 1 by \(founders[2])"))
    // Only a council member opens a term.
    let outsider = try #require(refusal([signed(.noOperation, index: 1, by: outsiderKey)], term: 2))
    #expect(outsider.contains("not a council member"))
  }

  /// Before entries were signed, a Byzantine leader could label its roles with an earlier term
  /// than its append's, and members judged them by the membership rules only (they could have
  /// been an earlier leader's). Signed, the entry is the leader's whatever its label, and the
  /// committed ranking judges it.
  @Test func aLeadersRolesLabelledWithAnEarlierTermAreJudgedAgainstTheRanking() throws {
    var probe = member(founders[0], ranked: true)
    let ranked = try #require(probe.committedRoles(through: 0)?.ranking(excluding: []))
    let leaderKey = try #require(keys.first { PeerID(publicKey: $0.publicKey) == ranked[2] })
    // The last-ranked leader assigns itself, in an entry labelled term 1 of its term-2 append.
    let assignsItself = signed(
      roles(ranked[2], [ranked[0], ranked[1]]), index: 1, by: leaderKey)
    func judged(signs: Bool) -> EntryRefusal? {
      var node = member(ranked[0], signs: signs, ranked: true)
      return node.entryRefusal(
        in: [assignsItself], after: 0, previousTerm: 0, from: ranked[2], term: 2)
    }
    let evidence = try #require(judged(signs: true)?.evidence)
    #expect(evidence.contains("where the committed ranking gives coordinator \(ranked[0])"))
    // The gap the signature closes: judged by the membership rules only, it passes.
    #expect(judged(signs: false) == nil)
  }

  /// A leader signs every entry it appends, the noop of its term included.
  @Test func aLeaderSignsWhatItAppends() throws {
    let alone = founders[0]
    var node = member(alone, council: [alone])
    for time in stride(from: UInt64(0), through: 5_000, by: 50) {
      _ = node.handle(.tick(now: time))
    }
    let council = try #require(node.council)
    #expect(council.leader == alone)
    let log = Array(council.log(from: 1))
    try #require(!log.isEmpty)
    for entry in log {
      let attestation = try #require(entry.attestation)
      #expect(attestation.author == alone)
      #expect(
        attestation.verifies(
          SignedStatement.entry(project: Self.project, entry, nonce: attestation.nonce)))
    }
  }
}
