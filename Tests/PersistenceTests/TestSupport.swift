import Coordination
import Foundation
import Testing
import Wire

@testable import Persistence

/// A fresh directory under the system's temporary directory; `remove()` deletes it.
struct ScratchDirectory {
  let path: String

  init() {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("starling-persistence-\(UUID().uuidString)").path
  }

  var databasePath: String { path + "/state.sqlite" }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}

func peer(_ index: UInt64) -> PeerID { PeerID(simulatedIndex: index) }

func digest(_ seed: UInt64) -> Digest {
  Digest(words: (seed, seed &* 3 &+ 1, ~seed, seed << 7 | 0x55))
}

/// An attestation's bytes made up from `seed` (a store keeps them as they came; signatures are
/// checked before an entry is appended).
func attestation(_ seed: UInt64) -> Attestation {
  let bytes = (0..<Attestation.encodedBytesMin).map {
    UInt8(truncatingIfNeeded: seed &+ UInt64($0))
  }
  return try! Attestation(wireBytes: bytes[...])
}

/// Log entries `indices`, each of `term`, with a mix of commands; the odd ones signed.
func entries(_ indices: ClosedRange<UInt64>, term: UInt64) -> [LogEntry] {
  indices.map { index in
    let command: CouncilCommand =
      switch index % 4 {
      case 0: .noOperation
      case 1: .addCouncilMember(peer(index))
      case 2: .ban(peer: peer(index), reason: "sent a poisoned update in round \(index)")
      default:
        .commitRound(
          RoundCommit(
            round: index, model: digest(index), aggregators: [peer(1), peer(2)],
            trainers: (3..<9).map(peer)))
      }
    return LogEntry(
      term: term, index: index, command: command,
      attestation: index % 2 == 1 ? attestation(index) : nil)
  }
}

/// Values whose bit patterns are unique and easy to find in the file: `0x4B00_0000 + i`, plus
/// `offset`.
func distinctiveValues(count: Int, offset: UInt32 = 0) -> [Float] {
  (0..<count).map { Float(bitPattern: 0x4B00_0000 &+ offset &+ UInt32($0)) }
}

func model(round: UInt64, count: Int = 64) -> StoredModel {
  StoredModel(
    round: round, digest: digest(round),
    values: distinctiveValues(count: count, offset: UInt32(round) << 16))
}

/// Stores and commits the model of `round` in one batch.
func commit(_ model: StoredModel, in store: SQLiteStore) throws {
  try store.apply(DurableWrite([.storeModel(model), .commitModel(model.key)]))
}

/// The error `body` throws (nil when it throws none).
func persistenceError(_ body: () throws(PersistenceError) -> Void) -> PersistenceError? {
  do {
    try body()
    return nil
  } catch {
    return error
  }
}

/// Copies the database and its write-ahead log (as they are on disk this instant, what a process
/// killed now leaves) into `destination`, the log cut to `walBytes` when given.
func copyFiles(
  from source: ScratchDirectory, to destination: ScratchDirectory, walBytes: Int? = nil
)
  throws
{
  try FileManager.default.createDirectory(
    atPath: destination.path, withIntermediateDirectories: true)
  let database = try Data(contentsOf: URL(fileURLWithPath: source.databasePath))
  try database.write(to: URL(fileURLWithPath: destination.databasePath))
  let walPath = source.databasePath + "-wal"
  guard FileManager.default.fileExists(atPath: walPath) else { return }
  var wal = try Data(contentsOf: URL(fileURLWithPath: walPath))
  if let walBytes { wal = wal.prefix(walBytes) }
  try wal.write(to: URL(fileURLWithPath: destination.databasePath + "-wal"))
}

func fileSize(_ path: String) -> Int {
  ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
}

/// A deterministic byte generator for corrupt files.
struct SeededBytes {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next(_ count: Int) -> [UInt8] {
    (0..<count).map { _ in
      state &+= 0x9E37_79B9_7F4A_7C15
      var value = state
      value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
      value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
      return UInt8(truncatingIfNeeded: value ^ (value >> 31))
    }
  }
}
