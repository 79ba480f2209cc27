import Wire

// Proposals and configuration changes.
extension Council {
  mutating func propose(_ command: CouncilCommand) {
    guard case .leader(let leadership) = state else {
      actions.append(.rejectedProposal(command, reason: .notLeader(leader: leader)))
      return
    }
    if leadership.transfer != nil {
      actions.append(.rejectedProposal(command, reason: .leadershipTransferPending))
      return
    }
    if let rejection = rejection(of: command, termStartIndex: leadership.termStartIndex) {
      actions.append(.rejectedProposal(command, reason: rejection))
      return
    }
    appendAsLeader(command)
    // Followers that were caught up get the entry now; the others get it in their next batch.
    for (peer, progress) in leadership.progress.sorted(by: { $0.key < $1.key })
    where progress.nextIndex == lastLogIndex {
      sendAppend(to: peer)
    }
    advanceCommit()
  }

  func rejection(of command: CouncilCommand, termStartIndex: UInt64) -> CouncilProposalRejection? {
    guard lastLogIndex - commitIndex < UInt64(options.uncommittedEntriesMax) else {
      return .uncommittedEntriesFull
    }
    switch command {
    case .addCouncilMember(let peer):
      guard configurationIndex <= commitIndex, commitIndex >= termStartIndex else {
        return .configurationChangePending
      }
      return members.contains(peer) ? .configurationChangeInvalid : nil
    case .removeCouncilMember(let peer), .retireCouncilMember(let peer):
      guard configurationIndex <= commitIndex, commitIndex >= termStartIndex else {
        return .configurationChangePending
      }
      return members.contains(peer) && members.count > 1 ? nil : .configurationChangeInvalid
    default:
      return nil
    }
  }

  mutating func appendAsLeader(_ command: CouncilCommand) {
    guard case .leader(var leadership) = state else { preconditionFailure("not the leader") }
    var entry = LogEntry(term: term, index: lastLogIndex + 1, command: command)
    entry.attestation = entrySigner?(entry, now)
    log.append(entry)
    issueWrite(entries: [entry])
    guard entry.isConfigurationChange else { return }
    recomputeMembers()
    // The new configuration is in force from now on, committed or not (dissertation §4.1).
    for peer in members where peer != id && leadership.progress[peer] == nil {
      leadership.progress[peer] = Progress(
        nextIndex: entry.index, matchIndex: 0, lastHeard: now)
    }
    for peer in leadership.progress.keys where !members.contains(peer) {
      leadership.progress[peer] = nil
    }
    state = .leader(leadership)
  }

  /// The bootstrap list with every configuration entry of the log applied in order.
  /// - Complexity: O(n) in the length of the log.
  mutating func recomputeMembers() {
    var current = Set(bootstrapMembers)
    configurationIndex = 0
    for entry in log {
      switch entry.command {
      case .addCouncilMember(let peer):
        current.insert(peer)
        configurationIndex = entry.index
      case .removeCouncilMember(let peer), .retireCouncilMember(let peer):
        current.remove(peer)
        configurationIndex = entry.index
      default:
        break
      }
    }
    members = current.sorted()
  }
}
