import Testing
import Wire

@testable import Persistence

@Suite struct ModelPruningTests {
  @Test(arguments: [1, 3, 5])
  func pruningKeepsTheNewestCommittedModels(kept: Int) throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(
      directory: directory.path, options: StoreOptions(committedModelsKept: kept))
    for round in UInt64(1)...10 { try commit(model(round: round), in: store) }
    let keys = try store.committedModels()
    #expect(keys == (0..<UInt64(kept)).map { model(round: 10 - $0).key })
    #expect(try store.model(model(round: 10 - UInt64(kept)).key) == nil)
    #expect(
      try store.model(model(round: 11 - UInt64(kept)).key) == model(round: 11 - UInt64(kept)).values
    )
    #expect(try store.load().committedModel == model(round: 10))
  }

  @Test func aCommitDropsHeldModelsOfItsRoundAndOlderOnly() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    let rival = StoredModel(round: 6, digest: digest(66), values: [6])
    try store.apply(
      DurableWrite(
        [model(round: 5), model(round: 6), rival, model(round: 7)].map { .storeModel($0) }))
    #expect(try store.load().heldModels.count == 4)
    try store.apply(DurableWrite([.commitModel(model(round: 6).key)]))
    let state = try store.load()
    #expect(state.committedModel == model(round: 6))
    #expect(state.heldModels == [model(round: 7)])
  }

  @Test func aHeldModelThatIsStoredAgainStaysCommitted() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    let store = try SQLiteStore(directory: directory.path)
    try commit(model(round: 2), in: store)
    try store.apply(DurableWrite([.storeModel(model(round: 2))]))
    #expect(try store.load().committedModel == model(round: 2))
    #expect(try store.load().heldModels.isEmpty)
  }
}
