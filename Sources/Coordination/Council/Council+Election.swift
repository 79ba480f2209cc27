import Wire

// Timers, elections and term changes.
extension Council {
  mutating func advanceClock(to time: UInt64) {
    // A clock that steps back is treated as standing still.
    now = max(now, time)
    if electionDeadline == nil { resetElectionDeadline() }
  }

  mutating func resetElectionDeadline() {
    let timeout = UInt64.random(in: options.electionTimeoutMilliseconds, using: &generator)
    electionDeadline = Timestamps.adding(timeout, to: now)
  }

  mutating func tick() {
    if case .leader = state {
      leaderTick()
      return
    }
    if let deadline = electionDeadline, now >= deadline {
      options.preVote ? startPreVote() : campaign()
    }
  }

  /// Stops following `leader` and asks for an election now (`CouncilEvent.depose`).
  mutating func depose(_ leader: PeerID) {
    guard leader != id else { return }
    deposed.insert(leader)
    guard case .follower(let current) = state, current == leader else { return }
    lastLeaderContact = nil
    state = .follower(leader: nil)
    announceFollower()
    options.preVote ? startPreVote() : campaign()
  }

  /// Asks the council whether it would elect this member in the next term (§9.6), without
  /// raising the term. A member that still hears from a leader, or holds a newer log, says no.
  mutating func startPreVote() {
    resetElectionDeadline()
    guard isMember else { return }
    switch state {
    case .follower(.some), .candidate:
      // The leader fell silent, or this member's own election failed: it follows no one while it
      // asks (it keeps its term and its vote).
      state = .follower(leader: nil)
      announceFollower()
    case .follower(nil), .leader: break
    }
    preVoteGrants = []
    let request = CouncilMessage.requestPreVote(
      term: term + 1, candidate: id, lastLogIndex: lastLogIndex, lastLogTerm: lastLogTerm)
    for peer in members where peer != id { actions.append(.send(to: peer, request)) }
    checkPreVoteWon()
  }

  mutating func checkPreVoteWon() {
    guard let grants = preVoteGrants else { return }
    if 1 + grants.count { members.contains($0) } >= quorum { campaign() }
  }

  /// Answers a pre-vote without changing any state: yes when this member would grant the vote.
  mutating func receivePreVoteRequest(
    term requestTerm: UInt64, candidate: PeerID, lastIndex: UInt64, lastTerm: UInt64
  ) {
    let isLogUpToDate =
      lastTerm > lastLogTerm || (lastTerm == lastLogTerm && lastIndex >= lastLogIndex)
    let granted = requestTerm > term && !isInLeaderLease && isLogUpToDate
    // A refusal carries this member's term, so a candidate that fell behind catches up.
    actions.append(
      .send(to: candidate, .preVote(term: granted ? requestTerm : term, granted: granted)))
  }

  mutating func receivePreVote(term voteTerm: UInt64, granted: Bool, from voter: PeerID) {
    if !granted, voteTerm > term {
      becomeFollower(term: voteTerm, leader: nil)
      return
    }
    guard voteTerm == term + 1, granted, preVoteGrants != nil, case .follower = state else {
      return
    }
    preVoteGrants!.insert(voter)
    checkPreVoteWon()
  }

  /// Starts an election for the next term. Only members of the current configuration campaign, so
  /// a joining member waits for its `addCouncilMember` entry and a removed one stays quiet.
  mutating func campaign(isLeadershipTransfer: Bool = false) {
    resetElectionDeadline()
    preVoteGrants = nil
    guard isMember else { return }
    term += 1
    votedFor = id
    let sequence = issueWrite(entries: [])
    state = .candidate(Candidacy(selfVoteSequence: sequence))
    lastAnnouncement = nil
    lastLeaderContact = nil
    let request = CouncilMessage.requestVote(
      term: term, candidate: id, lastLogIndex: lastLogIndex, lastLogTerm: lastLogTerm,
      isLeadershipTransfer: isLeadershipTransfer)
    for peer in members where peer != id { sendAfterPersisting(request, to: peer) }
    checkElectionWon()
  }

  mutating func checkElectionWon() {
    guard case .candidate(let candidacy) = state else { return }
    let selfVotes = writeSequenceDurable >= candidacy.selfVoteSequence ? 1 : 0
    let peerVotes = candidacy.grantedBy.count { members.contains($0) }
    if selfVotes + peerVotes >= quorum { becomeLeader() }
  }

  mutating func becomeLeader() {
    let termStartIndex = lastLogIndex + 1
    var progress: [PeerID: Progress] = [:]
    for peer in members where peer != id {
      progress[peer] = Progress(nextIndex: termStartIndex, matchIndex: 0, lastHeard: now)
    }
    state = .leader(
      Leadership(
        progress: progress, heartbeatDue: Timestamps.adding(options.heartbeatMilliseconds, to: now),
        termStartIndex: termStartIndex))
    lastAnnouncement = nil
    actions.append(.becameLeader(term: term))
    // §5.4.2: entries of earlier terms commit only under an entry of this term.
    appendAsLeader(.noOperation)
    broadcastAppend()
  }

  /// Follows `leader` (nil: unknown) in `newTerm`, clearing the vote when the term advances.
  mutating func becomeFollower(term newTerm: UInt64, leader: PeerID?) {
    precondition(newTerm >= term, "terms never go back")
    if newTerm > term {
      term = newTerm
      votedFor = nil
      issueWrite(entries: [])
    }
    state = .follower(leader: leader)
    preVoteGrants = nil
    if leader != nil { lastLeaderContact = now }
    resetElectionDeadline()
    announceFollower()
  }

  mutating func announceFollower() {
    guard case .follower(let leader) = state else { return }
    let announcement = Announcement(term: term, leader: leader)
    guard announcement != lastAnnouncement else { return }
    lastAnnouncement = announcement
    actions.append(.becameFollower(term: term, leader: leader))
  }

  /// A member that heard from a live leader within the shortest election timeout ignores vote
  /// requests, so a member returning from a partition cannot depose a healthy leader.
  var isInLeaderLease: Bool {
    switch state {
    case .leader: return hasQuorumContact
    case .candidate: return false
    case .follower(let leader):
      guard leader != nil, let contact = lastLeaderContact else { return false }
      return now < Timestamps.adding(options.electionTimeoutMilliseconds.lowerBound, to: contact)
    }
  }

  mutating func receiveVoteRequest(
    term requestTerm: UInt64, candidate: PeerID, lastIndex: UInt64, lastTerm: UInt64
  ) {
    guard requestTerm == term else {
      sendAfterPersisting(.vote(term: term, granted: false), to: candidate)
      return
    }
    let isLogUpToDate =
      lastTerm > lastLogTerm || (lastTerm == lastLogTerm && lastIndex >= lastLogIndex)
    let canVote = votedFor == candidate || (votedFor == nil && leader == nil)
    guard canVote && isLogUpToDate else {
      sendAfterPersisting(.vote(term: term, granted: false), to: candidate)
      return
    }
    if votedFor != candidate {
      votedFor = candidate
      issueWrite(entries: [])
    }
    resetElectionDeadline()
    sendAfterPersisting(.vote(term: term, granted: true), to: candidate)
  }

  mutating func receiveVote(term voteTerm: UInt64, granted: Bool, from voter: PeerID) {
    guard voteTerm == term, granted, case .candidate(var candidacy) = state else { return }
    candidacy.grantedBy.insert(voter)
    state = .candidate(candidacy)
    checkElectionWon()
  }
}
