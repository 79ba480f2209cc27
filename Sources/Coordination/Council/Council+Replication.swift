import Wire

// Messages in, log replication and commitment.
extension Council {
  mutating func receive(_ message: CouncilMessage, from sender: PeerID) {
    if deposed.contains(sender) {
      switch message {
      case .appendEntries, .requestVote, .requestPreVote, .timeoutNow: return
      case .vote, .appendResult, .preVote: break
      }
    }
    let messageTerm = message.term
    // Pre-vote messages carry the term a candidate would campaign in; nobody adopts it.
    let isPreVote: Bool
    switch message {
    case .requestPreVote, .preVote: isPreVote = true
    default: isPreVote = false
    }
    if messageTerm > term, !isPreVote {
      // A transfer vote is sent at the leader's request, so the lease does not hold it off.
      if case .requestVote(_, _, _, _, false) = message, isInLeaderLease { return }
      if case .appendEntries = message {
        becomeFollower(term: messageTerm, leader: sender)
      } else {
        becomeFollower(term: messageTerm, leader: nil)
      }
    }
    switch message {
    case .requestVote(let requestTerm, let candidate, let lastIndex, let lastTerm, _):
      guard candidate == sender else { return }
      receiveVoteRequest(
        term: requestTerm, candidate: candidate, lastIndex: lastIndex, lastTerm: lastTerm)
    case .vote(let voteTerm, let granted):
      receiveVote(term: voteTerm, granted: granted, from: sender)
    case .appendEntries(
      let appendTerm, let leader, let previousIndex, let previousTerm, let entries,
      let leaderCommit):
      guard leader == sender else { return }
      receiveAppend(
        AppendRequest(
          term: appendTerm, leader: leader, previousIndex: previousIndex,
          previousTerm: previousTerm, entries: entries, leaderCommit: leaderCommit))
    case .appendResult(let resultTerm, let isSuccess, let matchIndex):
      receiveAppendResult(
        term: resultTerm, isSuccess: isSuccess, matchIndex: matchIndex, from: sender)
    case .timeoutNow(let requestTerm):
      receiveTimeoutNow(term: requestTerm, from: sender)
    case .requestPreVote(let requestTerm, let candidate, let lastIndex, let lastTerm):
      guard candidate == sender else { return }
      receivePreVoteRequest(
        term: requestTerm, candidate: candidate, lastIndex: lastIndex, lastTerm: lastTerm)
    case .preVote(let voteTerm, let granted):
      receivePreVote(term: voteTerm, granted: granted, from: sender)
    }
  }

  struct AppendRequest {
    var term: UInt64
    var leader: PeerID
    var previousIndex: UInt64
    var previousTerm: UInt64
    var entries: [LogEntry]
    var leaderCommit: UInt64

    /// Indices follow `previousIndex` one by one, terms never decrease and never pass `term`.
    var isWellFormed: Bool {
      guard entries.count <= CouncilLimits.entriesPerAppendMax, previousTerm <= term else {
        return false
      }
      var expectedIndex = previousIndex + 1
      var minimumTerm = previousTerm
      for entry in entries {
        guard entry.index == expectedIndex, entry.term >= minimumTerm, entry.term <= term else {
          return false
        }
        expectedIndex += 1
        minimumTerm = entry.term
      }
      return true
    }
  }

  mutating func receiveAppend(_ request: AppendRequest) {
    guard request.term == term else {
      // A stale leader learns the newer term from the reply and steps down.
      sendAfterPersisting(
        .appendResult(term: term, success: false, matchIndex: 0), to: request.leader)
      return
    }
    switch state {
    case .leader:
      return  // Two leaders in one term: only a faulty peer can send this.
    case .candidate:
      becomeFollower(term: term, leader: request.leader)
    case .follower(let known):
      if known == nil {
        becomeFollower(term: term, leader: request.leader)
      } else if known != request.leader {
        return  // Two leaders in one term, as above.
      }
    }
    lastLeaderContact = now
    resetElectionDeadline()
    guard request.isWellFormed else { return }
    guard let localTerm = term(at: request.previousIndex) else {
      reject(request, hint: lastLogIndex)
      return
    }
    guard localTerm == request.previousTerm else {
      reject(request, hint: conflictHint(at: request.previousIndex))
      return
    }
    guard appendMissingEntries(request.entries) else { return }
    let lastNewIndex = request.previousIndex + UInt64(request.entries.count)
    if request.leaderCommit > commitIndex {
      commitIndex = max(commitIndex, min(request.leaderCommit, lastNewIndex))
    }
    sendAfterPersisting(
      .appendResult(term: term, success: true, matchIndex: lastNewIndex), to: request.leader)
  }

  mutating func reject(_ request: AppendRequest, hint: UInt64) {
    sendAfterPersisting(
      .appendResult(term: term, success: false, matchIndex: hint), to: request.leader)
  }

  /// Where a leader should retry: before the run of entries sharing the conflicting term.
  /// - Complexity: O(n) in the length of that run.
  func conflictHint(at index: UInt64) -> UInt64 {
    let conflictingTerm = term(at: index)
    var first = index
    while first > commitIndex + 1, term(at: first - 1) == conflictingTerm { first -= 1 }
    return first - 1
  }

  /// Appends the entries not yet in the log, truncating a conflicting suffix first. Returns false
  /// (and changes nothing) when that would remove a committed entry: only a faulty leader asks.
  mutating func appendMissingEntries(_ entries: [LogEntry]) -> Bool {
    guard
      let firstNew = entries.firstIndex(where: { term(at: $0.index) != $0.term })
    else { return true }
    let start = entries[firstNew].index
    let isTruncating = start <= lastLogIndex
    if isTruncating {
      guard start > commitIndex else { return false }
      log.removeSubrange(Int(start - 1)...)
    }
    let added = Array(entries[firstNew...])
    log.append(contentsOf: added)
    issueWrite(entries: added)
    if isTruncating || added.contains(where: \.isConfigurationChange) { recomputeMembers() }
    return true
  }

  mutating func receiveAppendResult(
    term resultTerm: UInt64, isSuccess: Bool, matchIndex: UInt64, from sender: PeerID
  ) {
    guard resultTerm == term, case .leader(var leadership) = state,
      var progress = leadership.progress[sender]
    else { return }
    progress.lastHeard = now
    if isSuccess {
      guard matchIndex <= lastLogIndex else { return }
      progress.matchIndex = max(progress.matchIndex, matchIndex)
      progress.nextIndex = max(progress.nextIndex, matchIndex + 1)
    } else {
      progress.nextIndex = max(
        progress.matchIndex + 1, min(progress.nextIndex - 1, matchIndex + 1))
    }
    leadership.progress[sender] = progress
    state = .leader(leadership)
    if isSuccess { advanceCommit() }
    if isSuccess { sendTimeoutNowIfCaughtUp(sender) }
    guard case .leader = state else { return }
    if !isSuccess || progress.nextIndex <= lastLogIndex { sendAppend(to: sender) }
  }

  /// Sends the next batch (at most `entriesPerAppendMax`) from the peer's next index, and assumes
  /// it arrives; a lost batch shows up as a rejected heartbeat, which moves the next index back.
  mutating func sendAppend(to peer: PeerID) {
    guard case .leader(var leadership) = state, var progress = leadership.progress[peer] else {
      return
    }
    let previousIndex = progress.nextIndex - 1
    guard let previousTerm = term(at: previousIndex) else {
      preconditionFailure("next index beyond the log")
    }
    let endIndex = min(lastLogIndex, previousIndex + UInt64(options.entriesPerAppendMax))
    let entries = Array(log[Int(previousIndex)..<Int(endIndex)])
    actions.append(
      .send(
        to: peer,
        .appendEntries(
          term: term, leader: id, previousLogIndex: previousIndex,
          previousLogTerm: previousTerm, entries: entries, leaderCommit: commitIndex)))
    progress.nextIndex = endIndex + 1
    leadership.progress[peer] = progress
    state = .leader(leadership)
  }

  mutating func broadcastAppend() {
    guard case .leader(let leadership) = state else { return }
    for peer in leadership.progress.keys.sorted() { sendAppend(to: peer) }
  }

  mutating func leaderTick() {
    guard hasQuorumContact else {
      becomeFollower(term: term, leader: nil)
      return
    }
    abandonExpiredTransfer()
    guard case .leader(var leadership) = state, now >= leadership.heartbeatDue else { return }
    leadership.heartbeatDue = Timestamps.adding(options.heartbeatMilliseconds, to: now)
    state = .leader(leadership)
    broadcastAppend()
  }

  /// Check-quorum: a quorum (the leader counting itself if it is a member) was heard from within
  /// the shortest election timeout.
  var hasQuorumContact: Bool {
    guard case .leader(let leadership) = state else { return false }
    let window = options.electionTimeoutMilliseconds.lowerBound
    var active = isMember ? 1 : 0
    for peer in members where peer != id {
      if let progress = leadership.progress[peer],
        now < Timestamps.adding(window, to: progress.lastHeard)
      {
        active += 1
      }
    }
    return active >= quorum
  }

  /// Commits the highest index held by a quorum, if it is of the current term (§5.4.2). A leader
  /// counts itself only for entries durable on it.
  mutating func advanceCommit() {
    guard case .leader(let leadership) = state else { return }
    var matches = members.map { peer in
      peer == id ? stableIndex : (leadership.progress[peer]?.matchIndex ?? 0)
    }
    matches.sort(by: >)
    let candidate = matches[quorum - 1]
    guard candidate > commitIndex, term(at: candidate) == term else { return }
    commitIndex = candidate
    broadcastAppend()
    // A leader removed from the council leads until its removal commits, then steps down.
    if !isMember && commitIndex >= configurationIndex {
      becomeFollower(term: term, leader: nil)
    }
  }
}

extension CouncilMessage {
  var term: UInt64 {
    switch self {
    case .requestVote(let term, _, _, _, _): term
    case .vote(let term, _): term
    case .appendEntries(let term, _, _, _, _, _): term
    case .appendResult(let term, _, _): term
    case .timeoutNow(let term): term
    case .requestPreVote(let term, _, _, _): term
    case .preVote(let term, _): term
    }
  }
}

extension LogEntry {
  var isConfigurationChange: Bool {
    switch command {
    case .addCouncilMember, .removeCouncilMember, .retireCouncilMember: true
    default: false
    }
  }
}
