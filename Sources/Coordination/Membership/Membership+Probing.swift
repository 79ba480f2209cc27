import Wire

/// The failure detector: the protocol period, direct and indirect probes, suspicion timeouts.
extension Membership {
  mutating func tick(now: UInt64, into actions: inout [MembershipAction]) {
    switch phase {
    case .idle, .left:
      return
    case .joining:
      retryJoin(now: now, into: &actions)
    case .member:
      if probeNextAtMilliseconds == nil {
        // Spread the nodes' periods over the period instead of probing in lockstep.
        let offset = UInt64.random(
          in: 0..<configuration.protocolPeriodMilliseconds, using: &random)
        probeNextAtMilliseconds = Timestamps.adding(offset, to: now)
      }
      probeIndirectly(now: now, into: &actions)
      if now >= probeNextAtMilliseconds! { startPeriod(now: now, into: &actions) }
      expireSuspicions(now: now, into: &actions)
      expireRelays(now: now)
    }
  }

  /// After `probeTimeoutMilliseconds` without an ack, asks `indirectProbes` others to probe.
  private mutating func probeIndirectly(now: UInt64, into actions: inout [MembershipAction]) {
    guard var current = probe, !current.isAcknowledged, !current.isIndirectSent,
      Timestamps.elapsed(from: current.startedAtMilliseconds, to: now)
        >= configuration.probeTimeoutMilliseconds
    else { return }
    current.isIndirectSent = true
    probe = current
    let helpers = table.sampleProbeable(
      configuration.indirectProbes, excluding: current.target, using: &random)
    for helper in helpers {
      let message = MembershipMessage.pingRequest(
        sequence: current.sequence, target: current.target, gossip: gossip(for: helper))
      actions.append(.send(to: helper, message))
    }
  }

  /// Closes the previous period's probe (no ack: suspect) and probes the next member.
  private mutating func startPeriod(now: UInt64, into actions: inout [MembershipAction]) {
    if let finished = probe, !finished.isAcknowledged {
      suspect(finished.target, now: now, into: &actions)
    }
    probe = nil
    pruneTombstones(now: now)
    let period = configuration.protocolPeriodMilliseconds
    let next = Timestamps.adding(period, to: probeNextAtMilliseconds!)
    // A runtime that stalled for whole periods resumes on schedule instead of catching up.
    probeNextAtMilliseconds = next > now ? next : Timestamps.adding(period, to: now)
    guard let target = schedule.next(among: table, using: &random) else { return }
    let sequence = takeSequence()
    probe = Probe(target: target, sequence: sequence, startedAtMilliseconds: now)
    actions.append(.send(to: target, .ping(sequence: sequence, gossip: gossip(for: target))))
  }

  private mutating func suspect(_ peer: PeerID, now: UInt64, into actions: inout [MembershipAction])
  {
    guard let member = table.member(peer), member.status == .alive else { return }
    let version = MemberVersion(status: .suspect, incarnation: member.incarnation)
    transition(member.record, to: version, now: now, isDisseminated: true, into: &actions)
  }

  /// Declares dead every suspect whose timer ran out, in peer order so the actions replay.
  private mutating func expireSuspicions(now: UInt64, into actions: inout [MembershipAction]) {
    guard !suspects.isEmpty else { return }
    let timeout = configuration.suspicionTimeoutMilliseconds(memberCount: count)
    let expired = suspects.filter { Timestamps.elapsed(from: $0.value, to: now) >= timeout }.keys
    for peer in expired.sorted() {
      let member = table.member(peer)!
      let version = MemberVersion(status: .dead, incarnation: member.incarnation)
      transition(member.record, to: version, now: now, isDisseminated: true, into: &actions)
    }
  }

  private mutating func expireRelays(now: UInt64) {
    guard !relays.isEmpty else { return }
    let period = configuration.protocolPeriodMilliseconds
    relays = relays.filter {
      Timestamps.elapsed(from: $0.value.createdAtMilliseconds, to: now) < period
    }
  }

  private mutating func pruneTombstones(now: UInt64) {
    guard !tombstones.isEmpty else { return }
    let retention = configuration.tombstoneRetentionMilliseconds
    let expired = tombstones.filter { Timestamps.elapsed(from: $0.value, to: now) >= retention }
      .keys
    for peer in expired {
      tombstones[peer] = nil
      table.remove(peer)
    }
  }

  mutating func takeSequence() -> UInt64 {
    defer { sequenceNext &+= 1 }
    return sequenceNext
  }

  // MARK: Probe messages

  mutating func receivePing(
    sequence: UInt64, gossip updates: [MemberUpdate], from sender: PeerID, now: UInt64,
    into actions: inout [MembershipAction]
  ) {
    if phase != .left { merge(updates, now: now, into: &actions) }
    let ack = MembershipMessage.ack(
      sequence: sequence, target: myself.peer, gossip: gossip(for: sender))
    actions.append(.send(to: sender, ack))
  }

  mutating func receiveAck(
    sequence: UInt64, target: PeerID, gossip updates: [MemberUpdate], now: UInt64,
    into actions: inout [MembershipAction]
  ) {
    guard phase != .left else { return }
    merge(updates, now: now, into: &actions)
    if let current = probe, current.sequence == sequence, current.target == target {
      probe?.isAcknowledged = true
    } else if let relay = relays[sequence], relay.target == target {
      relays[sequence] = nil
      let ack = MembershipMessage.ack(
        sequence: relay.sequence, target: target, gossip: gossip(for: relay.requester))
      actions.append(.send(to: relay.requester, ack))
    }
  }

  mutating func receivePingRequest(
    sequence: UInt64, target: PeerID, gossip updates: [MemberUpdate], from sender: PeerID,
    now: UInt64, into actions: inout [MembershipAction]
  ) {
    guard phase == .member else { return }
    merge(updates, now: now, into: &actions)
    guard target != myself.peer, target != sender, table.contains(target),
      relays.count < configuration.relaysPendingMax
    else { return }
    let relaySequence = takeSequence()
    relays[relaySequence] = Relay(
      requester: sender, sequence: sequence, target: target, createdAtMilliseconds: now)
    actions.append(.send(to: target, .ping(sequence: relaySequence, gossip: gossip(for: target))))
  }
}
