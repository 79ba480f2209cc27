import Foundation
import Testing
import Wire

@testable import Persistence

/// Files a store must refuse at open, each with a typed error that names the file.
@Suite struct SQLiteStoreOpeningTests {
  /// A closed store holding a few pages: a committed model of 10,000 values and a short log.
  func writeStore(in directory: ScratchDirectory) throws {
    let store = try SQLiteStore(directory: directory.path)
    try store.apply(
      DurableWrite([
        .setTermAndVote(term: 1, votedFor: nil), .appendEntries(entries(1...20, term: 1)),
      ]))
    try commit(model(round: 7, count: 10_000), in: store)
    store.close()
  }

  func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  func openingError(_ directory: ScratchDirectory) -> PersistenceError? {
    persistenceError { () throws(PersistenceError) in _ = try SQLiteStore(directory: directory.path)
    }
  }

  @Test func aFileOfRandomBytesIsNotADatabase() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path, withIntermediateDirectories: true)
    var random = SeededBytes(seed: 11)
    try write(random.next(8192), to: directory.databasePath)
    let error = openingError(directory)
    #expect(error == .notADatabase(path: directory.databasePath))
    #expect(error?.description == "\(directory.databasePath) is not a SQLite database.")
  }

  /// SQLite would take a zero-length file for a new, empty database. The store never leaves one
  /// (it creates its file aside and links it into place), so it reads one as a store that lost its
  /// contents, refuses it, and leaves it as it is.
  @Test func aZeroLengthFileIsRefusedAndLeftAlone() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path, withIntermediateDirectories: true)
    try write([], to: directory.databasePath)
    let error = openingError(directory)
    #expect(error == .emptyFile(path: directory.databasePath))
    #expect(error?.description.hasPrefix("\(directory.databasePath) is empty") == true)
    #expect(fileSize(directory.databasePath) == 0)
  }

  @Test(arguments: [0.5, 0.9])
  func aTruncatedDatabaseIsRefused(keptFraction: Double) throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.databasePath))
    let kept = Int(Double(bytes.count) * keptFraction)
    try write(Array(bytes.prefix(kept)), to: directory.databasePath)
    #expect(
      openingError(directory)
        == .truncated(path: directory.databasePath, bytes: kept, expectedBytes: bytes.count))
  }

  /// With a write-ahead log the file may lag its header, so the size check stands aside; the
  /// pages the log does not hold are missing, and SQLite finds the damage.
  @Test(arguments: [100, 4096, 8192])
  func aTruncatedDatabaseWithItsLogIsFoundDamaged(keptBytes: Int) throws {
    let original = ScratchDirectory()
    let copy = ScratchDirectory()
    defer { [original, copy].forEach { $0.remove() } }
    let store = try SQLiteStore(directory: original.path)
    for round in UInt64(1)...3 { try commit(model(round: round, count: 20_000), in: store) }
    try copyFiles(from: original, to: copy)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: copy.databasePath))
    try write(Array(bytes.prefix(keptBytes)), to: copy.databasePath)
    let error = openingError(copy)
    guard case .corrupt(let path, _) = error else {
      Issue.record("expected corrupt, got \(String(describing: error))")
      return
    }
    #expect(path == copy.databasePath)
  }

  @Test func aDatabaseCutInsideItsHeaderIsTruncated() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.databasePath))
    try write(Array(bytes.prefix(40)), to: directory.databasePath)
    #expect(
      openingError(directory)
        == .truncated(path: directory.databasePath, bytes: 40, expectedBytes: 100))
  }

  @Test func aDamagedPageFailsTheIntegrityCheck() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)))
    // Page 2 onwards holds the schema's tables; overwrite one with noise.
    var random = SeededBytes(seed: 5)
    bytes.replaceSubrange(4096..<8192, with: random.next(4096))
    try write(bytes, to: directory.databasePath)
    let error = openingError(directory)
    guard case .corrupt(let path, _) = error else {
      Issue.record("expected corrupt, got \(String(describing: error))")
      return
    }
    #expect(path == directory.databasePath)
  }

  @Test func aStoreFromAFutureSchemaVersionIsRefused() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    let connection = try SQLiteConnection(path: directory.databasePath, isCreating: false)
    try connection.execute("UPDATE schema_version SET version = 6")
    connection.close()
    let error = openingError(directory)
    #expect(error == .futureSchemaVersion(path: directory.databasePath, found: 6, supported: 5))
    #expect(error?.description.contains("schema version 6") == true)
  }

  /// A store of an earlier development schema: its log entries have another encoding.
  @Test(arguments: [1, 2, 3, 4])
  func aStoreOfAnEarlierSchemaVersionIsRefusedWithTheReason(version: Int) throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    let connection = try SQLiteConnection(path: directory.databasePath, isCreating: false)
    try connection.execute("UPDATE schema_version SET version = \(version)")
    connection.close()
    let error = openingError(directory)
    #expect(error?.description.contains("schema version \(version) is an earlier") == true)
    #expect(error?.description.contains("start the node in a new data directory") == true)
  }

  @Test func anotherApplicationsDatabaseIsRefused() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path, withIntermediateDirectories: true)
    let connection = try SQLiteConnection(path: directory.databasePath, isCreating: true)
    try connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    #expect(
      openingError(directory) == .foreignDatabase(path: directory.databasePath, applicationID: 0))
  }

  @Test func aLogWithoutItsDatabaseIsRefused() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path, withIntermediateDirectories: true)
    try write([1, 2, 3], to: directory.databasePath + "-wal")
    #expect(openingError(directory) == .orphanedLog(path: directory.databasePath))
    #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
  }

  @Test func aLeftoverOfACrashedCreationIsNeverRead() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path, withIntermediateDirectories: true)
    let leftover = directory.databasePath + ".creating-0123"
    try write([9, 9, 9], to: leftover)
    let store = try SQLiteStore(directory: directory.path)
    #expect(try store.load() == PersistedState())
    #expect(fileSize(leftover) == 3)
  }

  @Test func flippedBytesInAStoredModelFailItsChecksum() throws {
    let directory = ScratchDirectory()
    defer { directory.remove() }
    try writeStore(in: directory)
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.databasePath)))
    let stored = model(round: 7, count: 10_000)
    let needle = withUnsafeBytes(of: stored.values[5000].bitPattern.littleEndian) { Array($0) }
    let offset = try #require(
      bytes.indices.dropLast(3).first { bytes[$0..<$0 + 4].elementsEqual(needle) })
    bytes[offset + 1] ^= 0x10
    try write(bytes, to: directory.databasePath)
    // The file is sound SQLite: only the checksum can tell.
    let store = try SQLiteStore(directory: directory.path)
    let expected = PersistenceError.modelChecksumMismatch(
      path: directory.databasePath, round: 7, digest: stored.digest)
    #expect(throws: expected) { try store.load() }
    #expect(throws: expected) { try store.model(stored.key) }
    #expect(try store.committedModels() == [stored.key])
    #expect(expected.description.contains("round 7"))
    #expect(expected.description.contains(stored.digest.hexadecimal))
  }

  @Test func ofTwoStoresCreatedAtOnceOneOpensAndTheOtherIsRefused() throws {
    for _ in 0..<5 {
      let directory = ScratchDirectory()
      defer { directory.remove() }
      let outcomes = Outcomes()
      DispatchQueue.concurrentPerform(iterations: 2) { _ in
        do throws(PersistenceError) {
          let store = try SQLiteStore(directory: directory.path)
          try store.apply(DurableWrite([.setLastStartedRound(1)]))
          outcomes.record(nil)
          // Held open until both have tried.
          while outcomes.count < 2 { usleep(1000) }
          _ = store
        } catch {
          outcomes.record(error)
        }
      }
      let errors = outcomes.all
      #expect(errors.filter { $0 == nil }.count == 1, "\(errors)")
      for case .some(let error) in errors {
        switch error {
        case .locked, .fileSystem: break
        default: Issue.record("unexpected \(error)")
        }
      }
      #expect(try SQLiteStore(directory: directory.path).load().lastStartedRound == 1)
    }
  }
}

/// What concurrent openings gave (nil for a store that opened and wrote).
private final class Outcomes: @unchecked Sendable {
  // Every access holds `lock`.
  private let lock = NSLock()
  private var outcomes: [PersistenceError?] = []

  func record(_ outcome: PersistenceError?) { lock.withLock { outcomes.append(outcome) } }
  var count: Int { lock.withLock { outcomes.count } }
  var all: [PersistenceError?] { lock.withLock { outcomes } }
}
