import Foundation
import Testing

@testable import Identity

/// The key file: created private and durable, loaded back, and refused when it is not safe.
struct KeyStoreTests {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "starling-identity-\(UUID().uuidString)"
  ).path

  func permissions(_ path: String) throws -> Int {
    try #require(
      FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
  }

  func write(_ bytes: [UInt8], to path: String, mode: Int) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
  }

  func loadingError(_ path: String) -> IdentityError? {
    do {
      _ = try KeyStore.load(file: path)
      return nil
    } catch {
      return error
    }
  }

  @Test func createsAPrivateKeyFileInAPrivateDirectoryAndLoadsTheSameKey() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let nested = directory + "/peer/keys"
    let created = try KeyStore.loadOrCreate(directory: nested)
    let file = nested + "/identity.key"
    #expect(try permissions(file) == 0o600)
    #expect(try permissions(nested) == 0o700)
    #expect(try permissions(directory + "/peer") == 0o700)
    #expect(try Data(contentsOf: URL(fileURLWithPath: file)).count == 32)
    let loaded = try KeyStore.loadOrCreate(directory: nested)
    #expect(loaded.publicKey == created.publicKey)
    let message = Array("hello".utf8)
    #expect(created.publicKey.verify(signature: loaded.sign(message), message: message))
  }

  @Test func theFileHoldsTheSeed() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/seeded.key"
    try write(RFC8032Test1.seed, to: file, mode: 0o600)
    let keyPair = try #require(try KeyStore.load(file: file))
    #expect(keyPair.publicKey.hexadecimal == RFC8032Test1.publicKey)
  }

  @Test func loadReturnsNilWhenThereIsNoFile() throws {
    #expect(try KeyStore.load(file: directory + "/absent.key") == nil)
  }

  @Test func createNeverOverwritesAKey() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    let first = try KeyStore.create(file: file)
    #expect(throws: IdentityError.keyFileExists(path: file)) { try KeyStore.create(file: file) }
    #expect(try KeyStore.load(file: file)?.publicKey == first.publicKey)
  }

  @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o602, 0o610])
  func refusesAFileOthersCanAccess(mode: Int) throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    try write(RFC8032Test1.seed, to: file, mode: mode)
    #expect(loadingError(file) == .keyFileNotPrivate(path: file, mode: UInt32(mode)))
    #expect(throws: IdentityError.self) { try KeyStore.loadOrCreate(directory: directory) }
  }

  @Test(arguments: [0, 31, 33, 64])
  func refusesAFileOfTheWrongSize(byteCount: Int) throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    try write([UInt8](repeating: 1, count: byteCount), to: file, mode: 0o600)
    #expect(loadingError(file) == .keyFileWrongSize(path: file, byteCount: byteCount))
  }

  @Test func refusesASymbolicLinkEvenToAGoodKeyFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let target = directory + "/real.key"
    try write(RFC8032Test1.seed, to: target, mode: 0o600)
    let link = directory + "/identity.key"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    #expect(loadingError(link) == .keyFileNotRegular(path: link, kind: .symbolicLink))
    #expect(throws: IdentityError.self) { try KeyStore.loadOrCreate(directory: directory) }
  }

  @Test func refusesADirectoryAndANamedPipeWithoutBlocking() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let folder = directory + "/identity.key"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    #expect(loadingError(folder) == .keyFileNotRegular(path: folder, kind: .directory))
    let pipe = directory + "/pipe.key"
    #expect(mkfifo(pipe, 0o600) == 0)
    #expect(loadingError(pipe) == .keyFileNotRegular(path: pipe, kind: .fifo))
  }

  @Test func refusesAFileOfAnotherUser() throws {
    // Only root can give a file away; other users skip this check.
    guard geteuid() == 0 else { return }
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    try write(RFC8032Test1.seed, to: file, mode: 0o600)
    #expect(chown(file, 4242, 4242) == 0)
    #expect(loadingError(file) == .keyFileWrongOwner(path: file, ownerID: 4242, userID: 0))
  }

  @Test func refusesADirectoryPathThroughARegularFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let blocker = directory + "/not-a-directory"
    try write([1], to: blocker, mode: 0o600)
    #expect(throws: IdentityError.notADirectory(path: blocker)) {
      try KeyStore.loadOrCreate(directory: blocker + "/keys")
    }
  }

  @Test(arguments: [
    ("identity.key", "."), ("/identity.key", "/"), ("a/b/identity.key", "a/b"),
    ("/a//b/", "/a"), ("/a/b//identity.key", "/a/b"), ("/", "/"), ("a/", "."),
  ])
  func parentDirectoryIsLikeDirname(path: String, parent: String) {
    #expect(KeyStore.parentDirectory(of: path) == parent)
  }

  @Test func pathInDirectoryAddsOneSlash() {
    #expect(KeyStore.path(inDirectory: "/var/lib/starling") == "/var/lib/starling/identity.key")
    #expect(KeyStore.path(inDirectory: "/var/lib/starling/") == "/var/lib/starling/identity.key")
  }
}
