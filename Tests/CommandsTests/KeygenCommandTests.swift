import Commands
import Foundation
import Testing

/// `starling keygen`, run in process on temporary directories.
struct KeygenCommandTests {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "starling-keygen-\(UUID().uuidString)"
  ).path

  func run(_ arguments: [String]) -> (status: Int32, output: Output) {
    let output = Output.capturing()
    return (StarlingCLI.run(["keygen"] + arguments, output: output), output)
  }

  func lastJSON(_ output: Output) throws -> [String: Any] {
    let last = try #require(output.lines.last)
    return try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
  }

  func permissions(_ path: String) throws -> Int {
    try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
  }

  @Test func createsAPrivateKeyOnceAndThenLoadsTheSamePeerID() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/peer/node.key"
    let first = run(["--out", file, "--json"])
    #expect(first.status == 0, "\(first.output.lines)")
    let created = try lastJSON(first.output)
    #expect(created["created"] as? Bool == true)
    #expect(created["file"] as? String == file)
    let peerID = try #require(created["peerID"] as? String)
    #expect(peerID.count == 64 && peerID.allSatisfy(\.isHexDigit))
    #expect(try permissions(file) == 0o600)
    #expect(try permissions(directory + "/peer") == 0o700)

    let second = run(["--out", file])
    #expect(second.status == 0, "\(second.output.lines)")
    #expect(second.output.lines == ["loaded the key in \(file)", "peer ID \(peerID)"])
  }

  @Test func aDirectoryMeansItsIdentityKeyFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let result = run(["--out", directory])
    #expect(result.status == 0, "\(result.output.lines)")
    #expect(result.output.lines.first == "created a new key in \(directory)/identity.key")
    #expect(FileManager.default.fileExists(atPath: directory + "/identity.key"))
  }

  @Test func thePeerIDIsTheBLAKE2bHashOfThePublicKeyOfTheSeedInTheFile() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // RFC 8032 test 1's seed; the peer ID is hashlib.blake2b(public key, digest_size=32).
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    let bytes = stride(from: 0, to: seed.count, by: 2).map {
      UInt8(seed.dropFirst($0).prefix(2), radix: 16)!
    }
    let file = directory + "/identity.key"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
    let result = run(["--out", file, "--json"])
    #expect(result.status == 0, "\(result.output.lines)")
    let json = try lastJSON(result.output)
    #expect(json["created"] as? Bool == false)
    #expect(
      json["publicKey"] as? String
        == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    #expect(
      json["peerID"] as? String
        == "7849ac3049680be1ef762efe0d36e01733c3464eb0c7c558138acf24bb263bd3")
  }

  @Test func aKeyFileOthersCanReadIsRefusedWithItsPathAndTheFix() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    #expect(run(["--out", file]).status == 0)
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
    let result = run(["--out", file])
    #expect(result.status == 1)
    let message = try #require(result.output.lines.last)
    #expect(message.hasPrefix("error: refusing the key file \(file)"))
    #expect(message.contains("chmod 600 \(file)"))
  }

  @Test func unknownOptionsAndExtraArgumentsAreUsageErrors() {
    #expect(run(["--output", "x"]).status == 2)
    #expect(run(["somewhere"]).status == 2)
    #expect(run(["--out", ""]).status == 2)
  }
}
