import Wire

/// Applying and spreading rumours: every status change goes through `transition`.
extension Membership {
  /// Rumours for one message to `recipient`.
  mutating func gossip(for recipient: PeerID) -> [MemberUpdate] {
    rumours.take(
      configuration.gossipPerMessageMax,
      transmissionsMax: configuration.retransmissionsMax(memberCount: count),
      preferring: [recipient, myself.peer])
  }

  /// Applies the rumours of a received message, in order.
  mutating func merge(
    _ updates: [MemberUpdate], now: UInt64, into actions: inout [MembershipAction]
  ) {
    for update in updates.prefix(MembershipLimits.gossipPerMessageMax) {
      merge(update, now: now, into: &actions)
    }
  }

  private mutating func merge(
    _ update: MemberUpdate, now: UInt64, into actions: inout [MembershipAction]
  ) {
    if let record = update.record, record.peer != update.peer { return }  // malformed
    if update.peer == myself.peer {
      refute(update)
      return
    }
    guard let current = table.member(update.peer) else {
      // Only `alive` carries the record needed to contact a member never heard of.
      guard update.status == .alive, let record = update.record else { return }
      transition(
        record, to: MemberVersion(update), now: now, isDisseminated: true, into: &actions)
      return
    }
    let version = MemberVersion(update)
    let isNewRecord = update.status == .alive && update.record != nil
    guard version.supersedes(current.version) else { return }
    let record = isNewRecord ? update.record! : current.record
    transition(record, to: version, now: now, isDisseminated: true, into: &actions)
  }

  /// Answers a rumour about this node: a suspicion, death or departure at our incarnation or
  /// above is refuted with a higher incarnation; a higher `alive` (a bootstrap member counting our
  /// restart) is adopted, or outbid when it carries a record from a previous life.
  private mutating func refute(_ update: MemberUpdate) {
    guard phase != .left, phase != .idle else { return }
    switch update.status {
    case .alive:
      let isOurRecord = update.record == nil || update.record == myself
      if update.incarnation > incarnation && isOurRecord {
        incarnation = update.incarnation
      } else if update.incarnation >= incarnation && !isOurRecord {
        incarnation = update.incarnation + 1
        announceSelf()
      }
    case .suspect, .dead, .left:
      guard update.incarnation >= incarnation else { return }
      incarnation = update.incarnation + 1
      announceSelf()
    }
  }

  /// Queues this node's `alive` at its current incarnation.
  mutating func announceSelf() {
    rumours.enqueue(
      MemberUpdate(peer: myself.peer, status: .alive, incarnation: incarnation, record: myself))
  }

  /// Adds a member heard of outside gossip (a join sample, a restored view) as alive at
  /// incarnation 0 when it is not known yet; the group already knows it, so nothing is spread.
  mutating func learn(_ record: MemberRecord, now: UInt64, into actions: inout [MembershipAction]) {
    guard record.peer != myself.peer, !table.contains(record.peer) else { return }
    transition(
      record, to: MemberVersion(status: .alive, incarnation: 0), now: now, isDisseminated: false,
      into: &actions)
  }

  /// Moves a member to `version`, keeps the probe list, suspect and tombstone sets in step,
  /// reports the change to the application and, if asked, queues the rumour.
  mutating func transition(
    _ record: MemberRecord, to version: MemberVersion, now: UInt64, isDisseminated: Bool,
    into actions: inout [MembershipAction]
  ) {
    let peer = record.peer
    let previous = table.member(peer)
    if previous == nil && table.count >= configuration.membersMax { return }
    let isStatusChanged = previous?.status != version.status
    let scheduled = table.store(
      Member(record: record, status: version.status, incarnation: version.incarnation))
    if let scheduled { schedule.insert(scheduled, among: table, using: &random) }
    if isStatusChanged { track(peer, status: version.status, now: now) }
    report(peer, record: record, from: previous, to: version.status, into: &actions)
    if isDisseminated {
      rumours.enqueue(
        MemberUpdate(
          peer: peer, status: version.status, incarnation: version.incarnation,
          record: version.status == .alive ? record : nil))
    }
  }

  /// Keeps the suspect and tombstone sets, with the time of the change, in step with a status
  /// that changed (an unchanged status keeps its time: a suspicion does not restart when a
  /// higher incarnation is suspected).
  private mutating func track(_ peer: PeerID, status: MemberStatus, now: UInt64) {
    suspects[peer] = status == .suspect ? now : nil
    tombstones[peer] = status == .dead || status == .left ? now : nil
  }

  private func report(
    _ peer: PeerID, record: MemberRecord, from previous: Member?, to status: MemberStatus,
    into actions: inout [MembershipAction]
  ) {
    let wasProbeable = previous.map { $0.status == .alive || $0.status == .suspect } ?? false
    switch status {
    case .alive, .suspect:
      if !wasProbeable || (previous?.record != record) { actions.append(.memberJoined(record)) }
      if status == .suspect && previous?.status != .suspect {
        actions.append(.memberSuspected(peer))
      } else if status == .alive && previous?.status == .suspect {
        actions.append(.memberRecovered(peer))
      }
    case .dead:
      if wasProbeable { actions.append(.memberDied(peer)) }
    case .left:
      if wasProbeable { actions.append(.memberLeft(peer)) }
    }
  }
}
