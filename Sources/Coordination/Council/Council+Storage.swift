import Wire

// The persist-first rule: writes out, confirmations in, messages held until their state is durable.
extension Council {
  /// Issues a write of the current term and vote, plus `entries` (already in the log), which
  /// replace any stored entries from `entries.first.index` on.
  @discardableResult
  mutating func issueWrite(entries: [LogEntry]) -> UInt64 {
    if let first = entries.first {
      let agreedIndex = first.index - 1
      for position in writesInFlight.indices {
        writesInFlight[position].agreedIndex = min(
          writesInFlight[position].agreedIndex, agreedIndex)
      }
      stableIndex = min(stableIndex, agreedIndex)
    }
    writeSequenceIssued += 1
    writesInFlight.append(WriteInFlight(sequence: writeSequenceIssued, agreedIndex: lastLogIndex))
    actions.append(
      .persist(
        CouncilWrite(
          sequence: writeSequenceIssued, term: term, votedFor: votedFor, entries: entries)))
    return writeSequenceIssued
  }

  mutating func persisted(upTo sequence: UInt64) {
    precondition(sequence <= writeSequenceIssued, "storage confirmed a write never issued")
    guard sequence > writeSequenceDurable else { return }
    writeSequenceDurable = sequence
    let durableCount = writesInFlight.prefix { $0.sequence <= sequence }.count
    if durableCount > 0 { stableIndex = writesInFlight[durableCount - 1].agreedIndex }
    writesInFlight.removeFirst(durableCount)
    let releasedCount = heldMessages.prefix { $0.sequence <= sequence }.count
    for held in heldMessages.prefix(releasedCount) {
      actions.append(.send(to: held.recipient, held.message))
    }
    heldMessages.removeFirst(releasedCount)
    switch state {
    case .leader: advanceCommit()
    case .candidate: checkElectionWon()
    case .follower: break
    }
  }

  /// Sends `message` once every write issued so far is durable. When `heldMessagesMax` messages
  /// wait already, the message is dropped, as the network may drop any message.
  mutating func sendAfterPersisting(_ message: CouncilMessage, to recipient: PeerID) {
    guard writeSequenceDurable < writeSequenceIssued else {
      actions.append(.send(to: recipient, message))
      return
    }
    guard heldMessages.count < options.heldMessagesMax else { return }
    heldMessages.append(
      HeldMessage(sequence: writeSequenceIssued, recipient: recipient, message: message))
  }

  /// Delivers entries that are both committed and durable here, each once.
  mutating func deliverCommits() {
    let deliverableIndex = min(commitIndex, stableIndex)
    guard deliverableIndex > appliedIndex else { return }
    actions.append(.commit(Array(log[Int(appliedIndex)..<Int(deliverableIndex)])))
    appliedIndex = deliverableIndex
  }
}
