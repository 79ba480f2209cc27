import Wire

// Leadership transfer (dissertation §3.10): the leader brings the target's log up to date, then
// sends `timeoutNow`; the target campaigns at once with a vote request marked as a transfer, which
// voters grant even though they still hear from the old leader.
extension Council {
  mutating func transferLeadership(to target: PeerID) {
    guard case .leader(var leadership) = state, target != id, members.contains(target),
      leadership.progress[target] != nil
    else { return }
    leadership.transfer = Transfer(
      target: target,
      deadline: Timestamps.adding(options.electionTimeoutMilliseconds.lowerBound, to: now))
    state = .leader(leadership)
    sendTimeoutNowIfCaughtUp(target)
    if case .leader(let current) = state, current.transfer?.isTimeoutNowSent == false {
      sendAppend(to: target)
    }
  }

  /// Sends `timeoutNow` to the transfer's target once its log matches the leader's.
  mutating func sendTimeoutNowIfCaughtUp(_ peer: PeerID) {
    guard case .leader(var leadership) = state, var transfer = leadership.transfer,
      transfer.target == peer, !transfer.isTimeoutNowSent,
      leadership.progress[peer]?.matchIndex == lastLogIndex
    else { return }
    transfer.isTimeoutNowSent = true
    leadership.transfer = transfer
    state = .leader(leadership)
    actions.append(.send(to: peer, .timeoutNow(term: term)))
  }

  /// A transfer whose target did not take over in time ends; the leader accepts proposals again.
  mutating func abandonExpiredTransfer() {
    guard case .leader(var leadership) = state, let transfer = leadership.transfer,
      now >= transfer.deadline
    else { return }
    leadership.transfer = nil
    state = .leader(leadership)
  }

  /// The leader of this term asks this member to campaign now.
  mutating func receiveTimeoutNow(term requestTerm: UInt64, from sender: PeerID) {
    guard requestTerm == term, case .follower(let leader) = state, leader == sender, isMember
    else { return }
    campaign(isLeadershipTransfer: true)
  }
}
