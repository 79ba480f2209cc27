import Configuration
import Foundation
import Identity
import Transport
import Wire

/// `starling keygen [--out FILE] [--json]`: creates this peer's Ed25519 key, or loads the one
/// already there, and prints its peer ID.
struct KeygenCommand {
  static let usage = """
    usage: starling keygen [--out FILE|DIRECTORY] [--pow-bits N] [--sign-allow KEY]... [--json]
    Creates this peer's Ed25519 key (never over an existing one) or loads it, and prints the peer
    ID: the BLAKE2b-256 hash of the public key, in hexadecimal. The key file holds the 32-byte
    secret seed, readable by its owner only (mode 0600; a new directory gets 0700). A key file
    that others can access, that is a link or has the wrong size is refused.
      --out FILE       the key file (default ~/.starling/identity.key); a directory means
                       DIRECTORY/identity.key
      --pow-bits N     a new key is ground until its CURVE key carries N bits of proof of work
                       (security.admission.proofOfWorkBits; about 2^N tries); an existing key
                       with fewer bits is refused, not replaced
      --sign-allow KEY sign the Ed25519 public key KEY (64 hexadecimal digits) as the owner of
                       an allow-list: prints the security.admission.allowList entry (repeatable)
      --json           print one JSON object: file, created, peerID, publicKey, powBits
                       (and tries, seconds when ground; allowListEntries when signing)
    """

  /// The key file used when `--out` is not given.
  static var defaultFile: String {
    KeyStore.path(
      inDirectory: FileManager.default.homeDirectoryForCurrentUser.path + "/.starling")
  }

  let file: String
  let isJSON: Bool
  /// The proof of work a new key must carry; nil: any key.
  let proofOfWorkBits: Int?
  /// Keys to sign as the owner of an allow-list.
  let keysToAllow: [PublicKey]

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    let out = arguments.option("out")
    let bitsText = try arguments.nonEmptyOption("pow-bits")
    let allowTexts = arguments.options("sign-allow")
    try arguments.finish()
    if let bitsText {
      guard let bits = Int(bitsText), (0...ProofOfWork.bitsMax).contains(bits) else {
        throw UsageError("--pow-bits must be an integer from 0 to \(ProofOfWork.bitsMax)")
      }
      proofOfWorkBits = bits
    } else {
      proofOfWorkBits = nil
    }
    keysToAllow = try allowTexts.map { text in
      guard let bytes = Identity.bytes(fromHexadecimal: text), let key = PublicKey(bytes: bytes),
        key.curveBytes() != nil
      else {
        throw UsageError(
          "--sign-allow '\(text)' is not an Ed25519 public key (64 hexadecimal digits)")
      }
      return key
    }
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
    var ground: (tries: Int, seconds: Double)?
    let keyPair: SigningKeyPair
    if let existing {
      keyPair = existing
    } else if let bits = proofOfWorkBits, bits > 0 {
      let started = ProcessMetrics.now()
      // 2^(bits + 8) tries fail with probability e^-256.
      guard
        let found = SigningKeyPair.search(
          triesMax: 1 << (bits + 8),
          accepting: { ProofOfWork.bits(ofCurveKeyBytes: $0) >= bits })
      else { throw UsageError("found no key with \(bits) bits of proof of work") }
      ground = (found.tries, ProcessMetrics.now() - started)
      keyPair = try KeyStore.create(file: file, keyPair: found.keyPair)
    } else {
      keyPair = try KeyStore.create(file: file)
    }
    let peer = PeerID(publicKey: keyPair.publicKey)
    let bits = ProofOfWork.bits(ofCurveKeyBytes: keyPair.curvePublicKeyBytes)
    if let required = proofOfWorkBits, bits < required {
      throw UsageError(
        "the key in \(file) carries \(bits) bits of proof of work, \(required) asked; it is "
          + "never replaced: give another --out")
    }
    let entries = keysToAllow.map { key in
      (
        key: key.hexadecimal,
        signature: Identity.hexadecimal(
          keyPair.sign(AdmissionConfiguration.allowListMessage(for: key)).bytes)
      )
    }
    if isJSON {
      var fields: [String: Any] = [
        "command": "keygen", "file": file, "created": existing == nil,
        "peerID": peer.hexadecimal, "publicKey": keyPair.publicKey.hexadecimal,
        "powBits": bits,
      ]
      if let ground {
        fields["tries"] = ground.tries
        fields["seconds"] = ground.seconds
      }
      if !entries.isEmpty {
        fields["allowListEntries"] = entries.map { ["key": $0.key, "signature": $0.signature] }
      }
      output.json(fields)
      return
    }
    output.line((existing == nil ? "created a new key in " : "loaded the key in ") + file)
    output.line("peer ID " + peer.hexadecimal)
    if proofOfWorkBits != nil || !entries.isEmpty {
      output.line("public key " + keyPair.publicKey.hexadecimal)
      output.line("proof of work \(bits) bits")
    }
    if let ground {
      output.line(
        "ground in \(ground.tries) tries, "
          + String(
            format: "%.2f s (%.1f us per try)", ground.seconds,
            ground.seconds * 1e6 / Double(ground.tries)))
    }
    for entry in entries {
      output.line("{\"key\": \"\(entry.key)\", \"signature\": \"\(entry.signature)\"}")
    }
  }
}
