import Coordination
import Foundation
import Testing
import Wire

@testable import Persistence

@Suite struct SQLiteStoreTests {
  @Test func aNewStoreIsEmptyAndInWriteAheadLogMode() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path + "/nested/node")
    #expect(try store.load() == PersistedState())
    #expect(store.path.hasSuffix("/nested/node/state.sqlite"))
    #expect(FileManager.default.fileExists(atPath: store.path + "-wal"))
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/nested/node")
    #expect(Set(names) == ["state.sqlite", "state.sqlite-wal"])
  }

  @Test func councilStateRoundTrips() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try store.apply(
      DurableWrite([
        .setTermAndVote(term: 3, votedFor: peer(2)), .appendEntries(entries(1...9, term: 3)),
        .setAppliedIndex(4),
      ]))
    let council = try #require(try store.load().council)
    #expect(
      council
        == CouncilDurableState(
          currentTerm: 3, votedFor: peer(2), entries: entries(1...9, term: 3), appliedIndex: 4))
    #expect(throws: Never.self) { try council.validate() }
  }

  @Test func aCouncilWriteMeansWhatCouncilDurableStateApplyMeans() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    let writes = [
      CouncilWrite(sequence: 1, term: 1, votedFor: peer(1), entries: entries(1...5, term: 1)),
      CouncilWrite(sequence: 2, term: 2, votedFor: nil, entries: []),
      // A new leader's entries replace a conflicting suffix.
      CouncilWrite(sequence: 3, term: 2, votedFor: peer(4), entries: entries(3...4, term: 2)),
      CouncilWrite(sequence: 4, term: 2, votedFor: peer(4), entries: entries(5...6, term: 2)),
    ]
    var reference = CouncilDurableState()
    for write in writes {
      reference.apply(write)
      try store.apply(DurableWrite(write))
      #expect(try store.load().council == reference)
    }
  }

  @Test func snapshotsRoundTripAndCompactTheLog() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try store.apply(
      DurableWrite([
        .setTermAndVote(term: 2, votedFor: nil), .appendEntries(entries(1...8, term: 2)),
      ]))
    let snapshot = CouncilSnapshot(lastIndex: 5, lastTerm: 2, state: Array(0..<200))
    try store.apply(DurableWrite([.installSnapshot(snapshot)]))
    var state = try store.load()
    #expect(state.councilSnapshot == snapshot)
    #expect(state.council?.entries == entries(6...8, term: 2))
    #expect(state.council?.appliedIndex == 5)
    // A snapshot whose last entry is not in the log replaces the whole log.
    let later = CouncilSnapshot(lastIndex: 20, lastTerm: 2, state: [9, 9])
    try store.apply(DurableWrite([.installSnapshot(later)]))
    try store.apply(DurableWrite([.appendEntries(entries(21...22, term: 2))]))
    state = try store.load()
    #expect(state.councilSnapshot == later)
    #expect(state.council?.entries == entries(21...22, term: 2))
  }

  @Test func modelsRoundTripBitForBit() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    let special: [Float] = [
      0, -0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
      Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001), 1.5,
    ]
    let committed = StoredModel(round: 4, digest: digest(4), values: special)
    let held = [model(round: 5), StoredModel(round: 5, digest: digest(55), values: [])]
    try commit(committed, in: store)
    try store.apply(DurableWrite(held.map { .storeModel($0) }))
    let state = try store.load()
    #expect(state.committedModel?.values.map(\.bitPattern) == special.map(\.bitPattern))
    #expect(state.committedModel?.key == committed.key)
    #expect(Set(state.heldModels) == Set(held))
    #expect(try store.model(held[0].key) == held[0].values)
    #expect(try store.model(ModelKey(round: 5, digest: digest(999))) == nil)
    #expect(try store.committedModels() == [committed.key])
  }

  /// The outer optimizer's state is one row: each write replaces it, bit for bit, and it
  /// survives a reopen; a flipped byte is a checksum error, not a state.
  @Test func theOuterStateRoundTripsAndIsReplaced() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    var store = try SQLiteStore(directory: directory.path)
    #expect(try store.load().outerState == nil)
    let first = StoredModel(round: 3, digest: digest(3), values: [1, -0, .infinity, 2.5])
    let second = StoredModel(round: 4, digest: digest(4), values: [Float(bitPattern: 0x7FC0_1234)])
    try store.apply(DurableWrite([.storeOuterState(first)]))
    #expect(try store.load().outerState == first)
    try store.apply(DurableWrite([.storeOuterState(second)]))
    store.close()
    store = try SQLiteStore(directory: directory.path)
    let loaded = try #require(try store.load().outerState)
    #expect(loaded.key == second.key)
    #expect(loaded.values.map(\.bitPattern) == second.values.map(\.bitPattern))
    store.close()
    let connection = try SQLiteConnection(path: directory.databasePath, isCreating: false)
    try connection.execute("UPDATE outer_state SET checksum = checksum + 1")
    connection.close()
    store = try SQLiteStore(directory: directory.path)
    defer { store.close() }
    #expect(
      throws: PersistenceError.modelChecksumMismatch(
        path: directory.databasePath, round: 4, digest: digest(4))
    ) { try store.load() }
  }

  @Test func peersProgressAndPrivacyRoundTrip() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    let peers = (1...5).map {
      KnownPeer(
        peer: peer($0), address: PeerAddress("10.0.0.\($0):7400"), lastSeenMilliseconds: $0 * 1000)
    }
    try store.apply(
      DurableWrite(
        peers.map { .rememberPeer($0) } + [
          .forgetPeer(peer(3)), .setLastStartedRound(17),
          .recordPrivacySpent(accountant: "client-dp", epsilon: 1.25),
          .recordPrivacySpent(accountant: "central ε", epsilon: 0.5),
        ]))
    // An update replaces the address and the last contact.
    let moved = KnownPeer(peer: peer(1), address: PeerAddress(""), lastSeenMilliseconds: 9000)
    try store.apply(DurableWrite([.rememberPeer(moved)]))
    let state = try store.load()
    let expected = ([moved] + peers.filter { $0.peer != peer(1) && $0.peer != peer(3) })
    #expect(state.knownPeers == expected.sorted { $0.peer < $1.peer })
    #expect(state.lastStartedRound == 17)
    #expect(state.privacySpent == ["client-dp": 1.25, "central ε": 0.5])
  }

  @Test func everythingSurvivesCloseAndReopen() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    var store = try SQLiteStore(directory: directory.path)
    try store.apply(
      DurableWrite([
        .setTermAndVote(term: 7, votedFor: peer(1)), .appendEntries(entries(1...3, term: 7)),
        .installSnapshot(CouncilSnapshot(lastIndex: 1, lastTerm: 7, state: [1, 2, 3])),
        .storeModel(model(round: 2)), .commitModel(model(round: 2).key),
        .storeModel(model(round: 3)), .setLastStartedRound(3),
        .rememberPeer(
          KnownPeer(
            peer: peer(9), address: PeerAddress("peer.example:7400"), lastSeenMilliseconds: 5)
        ),
        .recordPrivacySpent(accountant: "central", epsilon: 2),
      ]))
    let before = try store.load()
    store.close()
    #expect(!FileManager.default.fileExists(atPath: store.path + "-wal"))
    store = try SQLiteStore(directory: directory.path, options: StoreOptions(integrityCheck: .full))
    #expect(try store.load() == before)
    #expect(before.council?.entries.count == 2)
    #expect(before.heldModels == [model(round: 3)])
  }

  @Test func aFailingOperationLeavesNothingOfItsBatch() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try store.apply(DurableWrite([.setTermAndVote(term: 1, votedFor: nil)]))
    let before = try store.load()
    let error = persistenceError { () throws(PersistenceError) in
      try store.apply(
        DurableWrite([
          .setTermAndVote(term: 2, votedFor: peer(1)), .storeModel(model(round: 1)),
          .rememberPeer(
            KnownPeer(peer: peer(1), address: PeerAddress("a:1"), lastSeenMilliseconds: 1)),
          .commitModel(ModelKey(round: 1, digest: digest(12345))),
        ]))
    }
    guard case .invalidWrite(let path, let reason) = error else {
      Issue.record("expected invalidWrite, got \(String(describing: error))")
      return
    }
    #expect(path == store.path)
    #expect(reason.contains("not stored"))
    #expect(try store.load() == before)
  }

  @Test func aSecondStoreOnTheSameDirectoryIsRefused() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    #expect(throws: PersistenceError.locked(path: store.path)) {
      try SQLiteStore(directory: directory.path)
    }
    store.close()
    #expect(throws: Never.self) { try SQLiteStore(directory: directory.path) }
  }

  @Test func aClosedStoreSaysSo() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    store.close()
    #expect(throws: PersistenceError.closed(path: store.path)) { try store.load() }
    #expect(throws: PersistenceError.closed(path: store.path)) {
      try store.apply(DurableWrite([.setLastStartedRound(1)]))
    }
  }

  @Test func storesAreSafeToShareAcrossTasks() async throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try await withThrowingTaskGroup(of: Void.self) { group in
      for task in 0..<4 {
        group.addTask {
          for round in 0..<10 {
            try store.apply(
              DurableWrite([
                .recordPrivacySpent(accountant: "task \(task)", epsilon: Double(round))
              ]))
          }
        }
      }
      try await group.waitForAll()
    }
    #expect(try store.load().privacySpent == ["task 0": 9, "task 1": 9, "task 2": 9, "task 3": 9])
  }
}
