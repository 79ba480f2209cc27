import Coordination
import Testing
import Wire

@testable import Persistence

/// Every bound, at its limit and one past it, on write and on read.
@Suite struct StoreLimitsTests {
  static let small: StoreLimits = {
    var limits = StoreLimits()
    limits.modelValuesMax = 100
    limits.heldModelsMax = 2
    limits.logEntriesMax = 5
    limits.logEntryBytesMax = 200
    limits.snapshotBytesMax = 10
    limits.knownPeersMax = 3
    limits.privacyAccountantsMax = 2
    limits.privacyAccountantBytesMax = 8
    limits.operationsPerWriteMax = 6
    return limits
  }()

  func withSmallStore(_ body: (SQLiteStore) throws -> Void) throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try body(try SQLiteStore(directory: directory.path, options: StoreOptions(limits: Self.small)))
  }

  func exceeded(_ store: SQLiteStore, _ operations: [DurableOperation]) -> (String, Int, Int)? {
    let error = persistenceError { () throws(PersistenceError) in
      try store.apply(DurableWrite(operations))
    }
    guard case .limitExceeded(_, let field, let count, let maximum) = error else { return nil }
    return (field, count, maximum)
  }

  @Test func modelValues() throws {
    try withSmallStore { store in
      let atLimit = StoredModel(round: 1, digest: digest(1), values: distinctiveValues(count: 100))
      #expect(exceeded(store, [.storeModel(atLimit)]) == nil)
      let beyond = StoredModel(round: 1, digest: digest(2), values: distinctiveValues(count: 101))
      #expect(exceeded(store, [.storeModel(beyond)])?.1 == 101)
    }
  }

  @Test func heldModels() throws {
    try withSmallStore { store in
      #expect(exceeded(store, [.storeModel(model(round: 1)), .storeModel(model(round: 2))]) == nil)
      #expect(exceeded(store, [.storeModel(model(round: 3))])?.0 == "held models")
      // A commit frees the held models it supersedes, in the same batch.
      #expect(
        exceeded(store, [.storeModel(model(round: 3)), .commitModel(model(round: 2).key)]) == nil)
    }
  }

  @Test func logEntriesAndTheirBytes() throws {
    try withSmallStore { store in
      try store.apply(DurableWrite([.setTermAndVote(term: 1, votedFor: nil)]))
      let noOperations = (1...6).map { LogEntry(term: 1, index: UInt64($0), command: .noOperation) }
      #expect(exceeded(store, [.appendEntries(Array(noOperations.prefix(5)))]) == nil)
      #expect(exceeded(store, [.appendEntries([noOperations[5]])])?.0 == "council log entries")
      let reason = String(repeating: "x", count: 200 - 16 - 1 - 32 - 4 - 1)
      let atLimit = LogEntry(term: 1, index: 5, command: .ban(peer: peer(1), reason: reason))
      #expect(atLimit.wireBytes.count == 200)
      #expect(exceeded(store, [.appendEntries([atLimit])]) == nil)
      let beyond = LogEntry(term: 1, index: 5, command: .ban(peer: peer(1), reason: reason + "x"))
      #expect(exceeded(store, [.appendEntries([beyond])])?.1 == 201)
    }
  }

  @Test func snapshotBytes() throws {
    try withSmallStore { store in
      try store.apply(DurableWrite([.setTermAndVote(term: 1, votedFor: nil)]))
      let atLimit = CouncilSnapshot(
        lastIndex: 1, lastTerm: 1, state: Array(repeating: 1, count: 10))
      #expect(exceeded(store, [.installSnapshot(atLimit)]) == nil)
      let beyond = CouncilSnapshot(lastIndex: 2, lastTerm: 1, state: Array(repeating: 1, count: 11))
      #expect(exceeded(store, [.installSnapshot(beyond)])?.1 == 11)
    }
  }

  @Test func knownPeersBeyondTheLimitForgetTheLongestSilent() throws {
    try withSmallStore { store in
      let peers = [5, 1, 9, 3].map {
        KnownPeer(peer: peer($0), address: PeerAddress("p\($0):1"), lastSeenMilliseconds: $0)
      }
      try store.apply(DurableWrite(peers.map { .rememberPeer($0) }))
      #expect(Set(try store.load().knownPeers.map(\.peer)) == [peer(3), peer(5), peer(9)])
    }
  }

  @Test func privacyAccountants() throws {
    try withSmallStore { store in
      #expect(exceeded(store, [.recordPrivacySpent(accountant: "12345678", epsilon: 1)]) == nil)
      #expect(exceeded(store, [.recordPrivacySpent(accountant: "123456789", epsilon: 1)])?.1 == 9)
      #expect(exceeded(store, [.recordPrivacySpent(accountant: "second", epsilon: 1)]) == nil)
      #expect(
        exceeded(store, [.recordPrivacySpent(accountant: "third", epsilon: 1)])?.0
          == "privacy accountants")
    }
  }

  @Test func operationsPerBatch() throws {
    try withSmallStore { store in
      let six = Array(repeating: DurableOperation.setLastStartedRound(1), count: 6)
      #expect(exceeded(store, six) == nil)
      #expect(exceeded(store, six + [.setLastStartedRound(2)])?.1 == 7)
    }
  }

  /// A reader with smaller limits than the writer's refuses the file instead of reading it.
  @Test func readsCheckTheBoundsToo() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    var store = try SQLiteStore(directory: directory.path)
    try store.apply(
      DurableWrite([
        .setTermAndVote(term: 1, votedFor: nil), .appendEntries(entries(1...6, term: 1)),
        .storeModel(
          StoredModel(round: 1, digest: digest(1), values: distinctiveValues(count: 101))),
        .commitModel(ModelKey(round: 1, digest: digest(1))),
      ]))
    store.close()
    var limits = StoreLimits()
    limits.logEntriesMax = 5
    store = try SQLiteStore(directory: directory.path, options: StoreOptions(limits: limits))
    #expect(
      throws: PersistenceError.limitExceeded(
        path: store.path, field: "council log entries", count: 6, maximum: 5)
    ) { try store.load() }
    store.close()
    limits = StoreLimits()
    limits.modelValuesMax = 100
    store = try SQLiteStore(directory: directory.path, options: StoreOptions(limits: limits))
    let key = ModelKey(round: 1, digest: digest(1))
    #expect(
      throws: PersistenceError.limitExceeded(
        path: store.path, field: "values of the model of \(key)", count: 101, maximum: 100)
    ) { try store.model(key) }
  }
}
