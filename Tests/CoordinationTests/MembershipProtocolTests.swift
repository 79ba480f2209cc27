import Coordination
import Testing
import Wire

/// One instance driven by hand: the messages it answers and the timers it keeps.
@Suite struct MembershipProtocolTests {
  static let records = (0..<6).map { MembershipNetwork.record($0) }

  /// Node 0, knowing nodes 1 to 5.
  static func node(configuration: MembershipConfiguration = MembershipConfiguration()) -> Membership
  {
    Membership(
      myself: records[0], configuration: configuration, seed: 9,
      knownMembers: Array(records.dropFirst()))
  }

  static func sends(_ actions: [MembershipAction]) -> [(to: PeerID, message: MembershipMessage)] {
    actions.compactMap { action in
      if case .send(let to, let message) = action { return (to, message) }
      return nil
    }
  }

  @Test func pingIsAnsweredWithAnAckForTheSameSequence() {
    var node = Self.node()
    let sender = Self.records[3].peer
    let actions = node.handle(.received(from: sender, .ping(sequence: 42, gossip: []), now: 5))
    let sent = Self.sends(actions)
    #expect(sent.count == 1)
    #expect(sent.first?.to == sender)
    guard case .ack(42, let target, _) = sent.first?.message else {
      Issue.record("expected an ack for sequence 42, got \(sent)")
      return
    }
    #expect(target == Self.records[0].peer)
  }

  @Test func pingRequestIsProbedAndTheAckRelayedToTheRequester() throws {
    var node = Self.node()
    let requester = Self.records[1].peer
    let target = Self.records[4].peer
    let request = node.handle(
      .received(from: requester, .pingRequest(sequence: 7, target: target, gossip: []), now: 5))
    let ping = try #require(Self.sends(request).first)
    #expect(ping.to == target)
    guard case .ping(let relaySequence, _) = ping.message else {
      Issue.record("expected a ping to the target, got \(ping.message)")
      return
    }
    let ack = node.handle(
      .received(
        from: target, .ack(sequence: relaySequence, target: target, gossip: []), now: 60))
    let relayed = try #require(Self.sends(ack).first)
    #expect(relayed.to == requester)
    guard case .ack(7, target, _) = relayed.message else {
      Issue.record("expected the ack relayed with the requester's sequence, got \(relayed)")
      return
    }
    // The relay is spent: a duplicate ack is not relayed twice.
    let duplicate = node.handle(
      .received(
        from: target, .ack(sequence: relaySequence, target: target, gossip: []), now: 70))
    #expect(Self.sends(duplicate).isEmpty)
  }

  /// The SWIM period by the clock: ping, then k ping requests after the probe timeout, then
  /// suspicion at the end of the period, then death after the suspicion timeout.
  @Test func unansweredProbeGoesIndirectThenSuspectThenDead() throws {
    let configuration = MembershipConfiguration()
    var node = Self.node(configuration: configuration)
    var now: UInt64 = 0
    var firstPing: (to: PeerID, sequence: UInt64, at: UInt64)?
    while firstPing == nil && now < 2 * configuration.protocolPeriodMilliseconds {
      for sent in Self.sends(node.handle(.tick(now: now))) {
        if case .ping(let sequence, _) = sent.message { firstPing = (sent.to, sequence, now) }
      }
      now += 10
    }
    let probe = try #require(firstPing, "no probe within two periods")
    var requests: [PeerID] = []
    var suspectedAt: UInt64?
    var diedAt: UInt64?
    while diedAt == nil && now < probe.at + 30 * configuration.protocolPeriodMilliseconds {
      for action in node.handle(.tick(now: now)) {
        switch action {
        case .send(let to, .pingRequest(probe.sequence, probe.to, _)):
          #expect(now - probe.at >= configuration.probeTimeoutMilliseconds)
          requests.append(to)
        case .memberSuspected(probe.to): suspectedAt = now
        case .memberDied(probe.to): diedAt = now
        default: break
        }
      }
      now += 10
    }
    #expect(requests.count == configuration.indirectProbes)
    #expect(Set(requests).count == requests.count && !requests.contains(probe.to))
    let suspected = try #require(suspectedAt)
    #expect(suspected - probe.at == configuration.protocolPeriodMilliseconds)
    let died = try #require(diedAt)
    #expect(died - suspected == configuration.suspicionTimeoutMilliseconds(memberCount: 6))
    #expect(node.member(probe.to)?.status == .dead)
    #expect(node.count == 5)
  }

  @Test(arguments: [
    (MemberStatus.suspect, UInt64(0), UInt64(1)),
    (.dead, 3, 4),
    (.left, 0, 1),
    (.alive, 2, 2),  // our restart counted by a bootstrap member: adopted, nothing to refute
  ])
  func rumourAboutSelfIsRefutedWithAHigherIncarnation(
    status: MemberStatus, heard: UInt64, expected: UInt64
  ) throws {
    var node = Self.node()
    let me = Self.records[0]
    let rumour = MemberUpdate(
      peer: me.peer, status: status, incarnation: heard, record: status == .alive ? me : nil)
    _ = node.handle(
      .received(from: Self.records[1].peer, .ping(sequence: 1, gossip: [rumour]), now: 5))
    #expect(node.incarnation == expected)
    let reply = node.handle(
      .received(from: Self.records[2].peer, .ping(sequence: 2, gossip: []), now: 6))
    let gossip = try #require(Self.sends(reply).first).message.gossip
    let refutation = MemberUpdate(peer: me.peer, status: .alive, incarnation: expected, record: me)
    #expect(gossip.contains(refutation) == (status != .alive))
  }

  @Test func bootstrapAnswersJoinWithItselfAndABoundedSample() throws {
    let size = MembershipLimits.joinSampleMax + 40
    let known = (1..<size).map { MembershipNetwork.record($0) }
    var bootstrap = Membership(myself: Self.records[0], seed: 3, knownMembers: known)
    let newcomer = MembershipNetwork.record(size)
    let actions = bootstrap.handle(.received(from: newcomer.peer, .join(newcomer), now: 5))
    #expect(actions.contains(.memberJoined(newcomer)))
    let reply = try #require(Self.sends(actions).first)
    #expect(reply.to == newcomer.peer)
    guard case .joinAccepted(let members) = reply.message else {
      Issue.record("expected joinAccepted, got \(reply.message)")
      return
    }
    #expect(members.count == MembershipLimits.joinSampleMax)
    #expect(members.first == Self.records[0])
    #expect(Set(members.map(\.peer)).count == members.count)
    #expect(!members.contains(newcomer))
    #expect(bootstrap.member(newcomer.peer)?.status == .alive)
  }

  @Test func joinClaimingAnotherPeersRecordIsIgnored() {
    var bootstrap = Self.node()
    let impostor = MembershipNetwork.record(77)
    let actions = bootstrap.handle(
      .received(from: impostor.peer, .join(MembershipNetwork.record(78)), now: 5))
    #expect(actions.isEmpty)
    #expect(bootstrap.member(MembershipNetwork.record(78).peer) == nil)
  }

  @Test func sameSeedReplaysTheSameTranscriptAndAnotherSeedDoesNot() {
    func transcript(seed: UInt64) -> [MembershipNetwork.Sent] {
      let network = MembershipNetwork.converged(size: 16, seed: seed)
      network.isRecording = true
      network.lossProbability = 0.1
      network.run(periods: 5)
      return network.sentMessages
    }
    #expect(transcript(seed: 1) == transcript(seed: 1))
    #expect(transcript(seed: 1) != transcript(seed: 2))
  }

  /// Ten fresh rumours and four per message: every rumour goes out once before any goes twice.
  @Test func messagesCarryTheLeastSentRumoursFirst() {
    var configuration = MembershipConfiguration()
    configuration.gossipPerMessageMax = 4
    var node = Self.node(configuration: configuration)
    let newcomers = (10..<20).map { MembershipNetwork.record($0) }
    let news = newcomers.map {
      MemberUpdate(peer: $0.peer, status: .alive, incarnation: 0, record: $0)
    }
    let asker = Self.records[1].peer
    _ = node.handle(.received(from: asker, .ping(sequence: 0, gossip: news), now: 1))
    var sentCounts = Dictionary(uniqueKeysWithValues: newcomers.map { ($0.peer, 0) })
    for sequence in UInt64(1)...6 {
      let reply = node.handle(.received(from: asker, .ping(sequence: sequence, gossip: []), now: 2))
      for update in Self.sends(reply).first?.message.gossip ?? [] {
        sentCounts[update.peer, default: 0] += 1
      }
      let counts = sentCounts.values
      #expect(counts.max()! - counts.min()! <= 1, "after message \(sequence): \(counts.sorted())")
    }
    #expect(sentCounts.values.reduce(0, +) == 24)
  }

  /// Lifeguard's buddy rule: a member learns it is suspected from the next message it gets.
  @Test func rumourAboutTheRecipientTravelsFirst() throws {
    var configuration = MembershipConfiguration()
    configuration.gossipPerMessageMax = 1
    var node = Self.node(configuration: configuration)
    let suspect = Self.records[4]
    let news = (10..<20).map { index in
      let record = MembershipNetwork.record(index)
      return MemberUpdate(peer: record.peer, status: .alive, incarnation: 0, record: record)
    }
    let rumour = MemberUpdate(peer: suspect.peer, status: .suspect, incarnation: 0)
    _ = node.handle(
      .received(from: Self.records[1].peer, .ping(sequence: 0, gossip: news + [rumour]), now: 1))
    let reply = node.handle(.received(from: suspect.peer, .ping(sequence: 1, gossip: []), now: 2))
    #expect(try #require(Self.sends(reply).first).message.gossip == [rumour])
  }
}
