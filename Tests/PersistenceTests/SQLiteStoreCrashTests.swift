import Coordination
import Foundation
import Testing
import Wire

@testable import Persistence

/// What a process killed at some instant leaves: the files as they are on disk then. Swift cannot
/// fork, so each test copies the database and its log while the writing store is still open (a
/// kill keeps exactly what the kernel holds, which is what a copy reads) and opens the copy.
@Suite struct SQLiteStoreCrashTests {
  /// Batch `number`: a new term, one more entry, and a committed model.
  func batch(_ number: UInt64, values: Int = 64) -> DurableWrite {
    let stored = model(round: number, count: values)
    return DurableWrite([
      .setTermAndVote(term: number, votedFor: peer(number)),
      .appendEntries(entries(number...number, term: number)), .storeModel(stored),
      .commitModel(stored.key), .setAppliedIndex(number - 1),
    ])
  }

  /// Checks that `state` is exactly what batches 1 through `count` wrote.
  func expectBatches(_ count: UInt64, in state: PersistedState) {
    guard count > 0 else {
      #expect(state == PersistedState())
      return
    }
    #expect(
      state.council
        == CouncilDurableState(
          currentTerm: count, votedFor: peer(count), entries: entries(1...count, term: 1...count),
          appliedIndex: count - 1))
    #expect(state.committedModel?.round == count)
  }

  @Test func committedBatchesSurviveAndAPartialBatchIsInvisible() throws {
    let original = ScratchDirectory()
    let killedBetween = ScratchDirectory()
    let killedDuring = ScratchDirectory()
    defer { [original, killedBetween, killedDuring].forEach { $0.remove() } }
    let store = try SQLiteStore(directory: original.path)
    for number in UInt64(1)...5 { try store.apply(batch(number)) }
    try copyFiles(from: original, to: killedBetween)
    let walBytesBefore = fileSize(original.databasePath + "-wal")
    var walBytesDuring = 0
    // Batch 6 holds a model of 8 MB, beyond SQLite's page cache, so its pages spill into the
    // log before the commit: the copy holds uncommitted frames.
    try store.apply(batch(6, values: 2 << 20)) {
      walBytesDuring = fileSize(original.databasePath + "-wal")
      try? copyFiles(from: original, to: killedDuring)
    }
    #expect(walBytesDuring > walBytesBefore + (4 << 20))
    expectBatches(6, in: try store.load())
    for copy in [killedBetween, killedDuring] {
      let reopened = try SQLiteStore(directory: copy.path)
      expectBatches(5, in: try reopened.load())
      #expect(try reopened.model(model(round: 6).key) == nil)
    }
  }

  @Test func aTornLogTailLeavesAPrefixOfWholeBatches() throws {
    let original = ScratchDirectory()
    defer { original.remove() }
    let store = try SQLiteStore(directory: original.path)
    for number in UInt64(1)...8 { try store.apply(batch(number)) }
    let walBytes = fileSize(original.databasePath + "-wal")
    var previous: UInt64 = 0
    var survivals: Set<UInt64> = []
    for cut in stride(from: 0, through: walBytes, by: max(1, walBytes / 37)) + [walBytes] {
      let copy = ScratchDirectory()
      defer { copy.remove() }
      try copyFiles(from: original, to: copy, walBytes: cut)
      let state = try SQLiteStore(directory: copy.path).load()
      let survived = state.council.map { UInt64($0.entries.count) } ?? 0
      expectBatches(survived, in: state)
      #expect(survived >= previous, "a longer log kept fewer batches (cut at \(cut) bytes)")
      previous = survived
      survivals.insert(survived)
    }
    #expect(previous == 8)
    // The cuts fall between and inside batches: most prefixes are seen.
    #expect(survivals.count >= 6, "prefixes seen: \(survivals.sorted())")
  }
}

/// Entries `indices`, entry i of term i (as `batch(i)` writes them).
func entries(_ indices: ClosedRange<UInt64>, term terms: ClosedRange<UInt64>) -> [LogEntry] {
  zip(indices, terms).flatMap { index, term in entries(index...index, term: term) }
}
