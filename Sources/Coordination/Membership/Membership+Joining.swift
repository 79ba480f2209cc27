import Wire

/// Joining through bootstrap members, accepting newcomers, and leaving.
extension Membership {
  mutating func receive(
    _ message: MembershipMessage, from sender: PeerID, now: UInt64,
    into actions: inout [MembershipAction]
  ) {
    guard phase != .idle, sender != myself.peer else { return }
    // A member we hold as suspect or dead is talking to us: put that rumour back in the queue so
    // our reply tells it first, and it refutes at once. Otherwise a member falsely declared dead
    // (say, on the far side of a one-way partition) stays dead until its tombstone expires, once
    // the original rumour has been retold and dropped.
    if let member = table.member(sender), member.status == .suspect || member.status == .dead {
      rumours.enqueue(
        MemberUpdate(peer: sender, status: member.status, incarnation: member.incarnation))
    }
    switch message {
    case .ping(let sequence, let updates):
      receivePing(sequence: sequence, gossip: updates, from: sender, now: now, into: &actions)
    case .ack(let sequence, let target, let updates):
      receiveAck(sequence: sequence, target: target, gossip: updates, now: now, into: &actions)
    case .pingRequest(let sequence, let target, let updates):
      receivePingRequest(
        sequence: sequence, target: target, gossip: updates, from: sender, now: now,
        into: &actions)
    case .join(let record):
      acceptJoin(record, from: sender, now: now, into: &actions)
    case .joinAccepted(let records):
      completeJoin(records, from: sender, now: now, into: &actions)
    }
  }

  mutating func join(
    through bootstrap: [PeerID], now: UInt64, into actions: inout [MembershipAction]
  ) {
    switch phase {
    case .joining, .member:
      return
    case .left:
      // Coming back after leaving: outbid our own `left` rumour.
      incarnation += 1
    case .idle:
      break
    }
    let contacts = bootstrap.filter { $0 != myself.peer }
    guard let first = contacts.first else {
      phase = .member
      announceSelf()
      return
    }
    phase = .joining(bootstrap: contacts, attempts: 1, lastAttemptMilliseconds: now)
    actions.append(.send(to: first, .join(myself)))
  }

  mutating func retryJoin(now: UInt64, into actions: inout [MembershipAction]) {
    guard case .joining(let contacts, let attempts, let last) = phase,
      Timestamps.elapsed(from: last, to: now) >= configuration.joinRetryMilliseconds
    else { return }
    phase = .joining(bootstrap: contacts, attempts: attempts + 1, lastAttemptMilliseconds: now)
    actions.append(.send(to: contacts[attempts % contacts.count], .join(myself)))
  }

  /// A bootstrap member admits `record`: a join is the newcomer's own word that it is alive, so
  /// a member known dead, left, suspect or under another record (a restart) comes back at the
  /// known incarnation plus one; a repeated join changes nothing and is answered again.
  private mutating func acceptJoin(
    _ record: MemberRecord, from sender: PeerID, now: UInt64,
    into actions: inout [MembershipAction]
  ) {
    guard phase == .member, record.peer == sender else { return }
    if let current = table.member(sender) {
      if current.status != .alive || current.record != record {
        let version = MemberVersion(status: .alive, incarnation: current.incarnation + 1)
        transition(record, to: version, now: now, isDisseminated: true, into: &actions)
      }
    } else {
      let version = MemberVersion(status: .alive, incarnation: 0)
      transition(record, to: version, now: now, isDisseminated: true, into: &actions)
      guard table.contains(sender) else { return }  // the membership is full
    }
    let sample = table.sampleProbeable(
      MembershipLimits.joinSampleMax - 1, excluding: sender, using: &random)
    let records = [myself] + sample.map { table.member($0)!.record }
    actions.append(.send(to: sender, .joinAccepted(members: records)))
  }

  private mutating func completeJoin(
    _ records: [MemberRecord], from sender: PeerID, now: UInt64,
    into actions: inout [MembershipAction]
  ) {
    guard case .joining(let contacts, _, _) = phase, contacts.contains(sender) else { return }
    phase = .member
    for record in records.prefix(MembershipLimits.joinSampleMax) {
      learn(record, now: now, into: &actions)
    }
    // The bootstrap member spreads our arrival too; this copy covers its crashing right now.
    announceSelf()
  }

  mutating func leave(now: UInt64, into actions: inout [MembershipAction]) {
    guard phase == .member else {
      if phase != .left { phase = .idle }
      return
    }
    phase = .left
    probe = nil
    relays = [:]
    rumours.enqueue(MemberUpdate(peer: myself.peer, status: .left, incarnation: incarnation))
    for peer in table.sampleProbeable(configuration.leaveFanout, using: &random) {
      actions.append(
        .send(to: peer, .ping(sequence: takeSequence(), gossip: gossip(for: peer))))
    }
  }
}
