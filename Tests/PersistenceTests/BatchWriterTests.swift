import Coordination
import Testing
import Wire

@testable import Persistence

/// What a batch may not do to the council's state: each refusal names why and writes nothing.
@Suite struct BatchWriterTests {
  /// Applies `setup`, then `refused`, and returns the reason `refused` was refused for (nil if
  /// it was applied), after checking that it changed nothing.
  func refusal(after setup: [DurableOperation], of refused: [DurableOperation]) throws -> String? {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try store.apply(DurableWrite(setup))
    let before = try store.load()
    let error = persistenceError { () throws(PersistenceError) in
      try store.apply(DurableWrite(refused))
    }
    guard let error else { return nil }
    #expect(try store.load() == before)
    guard case .invalidWrite(_, let reason) = error else {
      Issue.record("expected invalidWrite, got \(error)")
      return nil
    }
    return reason
  }

  @Test func termsNeverGoBack() throws {
    let reason = try refusal(
      after: [.setTermAndVote(term: 5, votedFor: nil)],
      of: [.setTermAndVote(term: 4, votedFor: nil)])
    #expect(reason?.contains("older than the stored term 5") == true)
  }

  @Test func aVoteCastInATermStays() throws {
    let voted: [DurableOperation] = [.setTermAndVote(term: 5, votedFor: peer(1))]
    #expect(try refusal(after: voted, of: [.setTermAndVote(term: 5, votedFor: peer(2))]) != nil)
    #expect(try refusal(after: voted, of: [.setTermAndVote(term: 5, votedFor: nil)]) != nil)
    #expect(try refusal(after: voted, of: [.setTermAndVote(term: 5, votedFor: peer(1))]) == nil)
    #expect(try refusal(after: voted, of: [.setTermAndVote(term: 6, votedFor: nil)]) == nil)
    // A first vote in the current term is allowed.
    let unvoted: [DurableOperation] = [.setTermAndVote(term: 5, votedFor: nil)]
    #expect(try refusal(after: unvoted, of: [.setTermAndVote(term: 5, votedFor: peer(2))]) == nil)
  }

  @Test func theLogHasNoGaps() throws {
    let setup: [DurableOperation] = [
      .setTermAndVote(term: 2, votedFor: nil), .appendEntries(entries(1...3, term: 2)),
    ]
    #expect(try refusal(after: setup, of: [.appendEntries(entries(5...6, term: 2))]) != nil)
    #expect(try refusal(after: setup, of: [.appendEntries(entries(0...1, term: 2))]) != nil)
    var shuffled = entries(4...6, term: 2)
    shuffled.swapAt(0, 2)
    #expect(try refusal(after: setup, of: [.appendEntries(shuffled)]) != nil)
    #expect(try refusal(after: setup, of: [.truncateLog(from: 0)]) != nil)
    #expect(try refusal(after: setup, of: [.appendEntries(entries(4...4, term: 2))]) == nil)
  }

  @Test func termsInTheLogNeverDecreaseNorPassTheCurrentTerm() throws {
    let setup: [DurableOperation] = [
      .setTermAndVote(term: 3, votedFor: nil), .appendEntries(entries(1...3, term: 2)),
    ]
    #expect(try refusal(after: setup, of: [.appendEntries(entries(4...4, term: 1))]) != nil)
    let ahead = try refusal(after: setup, of: [.appendEntries(entries(4...4, term: 4))])
    #expect(ahead?.contains("after the current term 3") == true)
    // The same entry is fine once the term is raised in the same batch.
    #expect(
      try refusal(
        after: setup,
        of: [.setTermAndVote(term: 4, votedFor: nil), .appendEntries(entries(4...4, term: 4))])
        == nil)
  }

  @Test func theAppliedIndexStaysInsideTheLog() throws {
    let setup: [DurableOperation] = [
      .setTermAndVote(term: 1, votedFor: nil), .appendEntries(entries(1...4, term: 1)),
      .setAppliedIndex(3),
    ]
    #expect(try refusal(after: setup, of: [.setAppliedIndex(5)]) != nil)
    #expect(try refusal(after: setup, of: [.truncateLog(from: 3)]) != nil)
    #expect(try refusal(after: setup, of: [.truncateLog(from: 4)]) == nil)
  }

  @Test func snapshotsNeverGoBackAndTheLogCannotReachIntoThem() throws {
    let setup: [DurableOperation] = [
      .setTermAndVote(term: 1, votedFor: nil), .appendEntries(entries(1...6, term: 1)),
      .installSnapshot(CouncilSnapshot(lastIndex: 4, lastTerm: 1, state: [1])),
    ]
    let older = CouncilSnapshot(lastIndex: 3, lastTerm: 1, state: [])
    #expect(try refusal(after: setup, of: [.installSnapshot(older)]) != nil)
    #expect(try refusal(after: setup, of: [.appendEntries(entries(4...5, term: 1))]) != nil)
    #expect(try refusal(after: setup, of: [.truncateLog(from: 4)]) != nil)
    #expect(try refusal(after: setup, of: [.truncateLog(from: 5)]) == nil)
    #expect(try refusal(after: setup, of: [.appendEntries(entries(5...7, term: 1))]) == nil)
  }

  @Test func committedRoundsNeverChange() throws {
    let setup: [DurableOperation] = [
      .storeModel(model(round: 4)), .commitModel(model(round: 4).key),
    ]
    let older = model(round: 3)
    #expect(
      try refusal(after: setup, of: [.storeModel(older), .commitModel(older.key)])?
        .contains("older than the committed round 4") == true)
    let rival = StoredModel(round: 4, digest: digest(40), values: [1])
    #expect(
      try refusal(after: setup, of: [.storeModel(rival), .commitModel(rival.key)])?
        .contains("committed already") == true)
    // Committing the same model again changes nothing and is no error.
    #expect(try refusal(after: setup, of: [.commitModel(model(round: 4).key)]) == nil)
  }

  @Test func spentPrivacyNeverDecreases() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    for epsilon in [1.0, 3.0, 2.0] {
      try store.apply(DurableWrite([.recordPrivacySpent(accountant: "central", epsilon: epsilon)]))
    }
    #expect(try store.load().privacySpent == ["central": 3])
    for epsilon in [-1.0, .nan, .infinity] {
      #expect(
        try refusal(after: [], of: [.recordPrivacySpent(accountant: "central", epsilon: epsilon)])
          != nil)
    }
    #expect(try refusal(after: [], of: [.recordPrivacySpent(accountant: "", epsilon: 1)]) != nil)
  }

  @Test func orderedValuesMustBeBelowTwoToTheSixtyThree() throws {
    let huge = UInt64(Int64.max) + 1
    let hugeModel = StoredModel(round: huge, digest: digest(1), values: [])
    #expect(try refusal(after: [], of: [.storeModel(hugeModel)]) != nil)
    let entry = LogEntry(term: 1, index: huge, command: .noOperation)
    #expect(
      try refusal(
        after: [.setTermAndVote(term: 1, votedFor: nil)], of: [.appendEntries([entry])]) != nil)
    // Terms and vote are not ordered: any value round-trips.
    #expect(try refusal(after: [], of: [.setTermAndVote(term: .max, votedFor: nil)]) == nil)
  }
}
