import Foundation
import Identity
import Wire

/// `starling keygen [--out FILE] [--json]`: creates this peer's Ed25519 key, or loads the one
/// already there, and prints its peer ID.
struct KeygenCommand {
  static let usage = """
    usage: starling keygen [--out FILE|DIRECTORY] [--json]
    Creates this peer's Ed25519 key (never over an existing one) or loads it, and prints the peer
    ID: the BLAKE2b-256 hash of the public key, in hexadecimal. The key file holds the 32-byte
    secret seed, readable by its owner only (mode 0600; a new directory gets 0700). A key file
    that others can access, that is a link or has the wrong size is refused.
      --out FILE       the key file (default ~/.starling/identity.key); a directory means
                       DIRECTORY/identity.key
      --json           print one JSON object: file, created, peerID, publicKey
    """

  /// The key file used when `--out` is not given.
  static var defaultFile: String {
    KeyStore.path(
      inDirectory: FileManager.default.homeDirectoryForCurrentUser.path + "/.starling")
  }

  let file: String
  let isJSON: Bool

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    let out = arguments.option("out")
    try arguments.finish()
    if let extra = arguments.positional.first {
      throw UsageError("unexpected argument '\(extra)'\n\(Self.usage)")
    }
    guard let out else {
      file = Self.defaultFile
      return
    }
    guard !out.isEmpty else { throw UsageError("--out needs a path") }
    var isDirectory: ObjCBool = false
    let isExistingDirectory =
      FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory)
      && isDirectory.boolValue
    file = isExistingDirectory || out.hasSuffix("/") ? KeyStore.path(inDirectory: out) : out
  }

  func run(output: Output) throws {
    let existing = try KeyStore.load(file: file)
    let keyPair = try existing ?? KeyStore.create(file: file)
    let peer = PeerID(publicKey: keyPair.publicKey)
    if isJSON {
      output.json([
        "command": "keygen", "file": file, "created": existing == nil,
        "peerID": peer.hexadecimal, "publicKey": keyPair.publicKey.hexadecimal,
      ])
    } else {
      output.line((existing == nil ? "created a new key in " : "loaded the key in ") + file)
      output.line("peer ID " + peer.hexadecimal)
    }
  }
}
