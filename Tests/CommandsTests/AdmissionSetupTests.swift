import Configuration
import Foundation
import Identity
import Testing
import Transport

@testable import Commands

/// `security.admission` as `starling node` enforces it, and `starling keygen --pow-bits`.
@Suite(.timeLimit(.minutes(1)))
struct AdmissionSetupTests {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
    "starling-admission-\(UUID().uuidString)"
  ).path

  func entry(_ key: SigningKeyPair, signedBy owner: SigningKeyPair) -> String {
    let signature = owner.sign(AdmissionConfiguration.allowListMessage(for: key.publicKey))
    return
      #"{"key": "\#(key.publicKey.hexadecimal)", "signature": "\#(hexadecimal(signature.bytes))"}"#
  }

  @Test func anAllowListSignedByTheOwnerAdmitsItsKeysOverSocketsAndRefusesOthers() async throws {
    let owner = SigningKeyPair.generate()
    let member = SigningKeyPair.generate()
    let configuration = try ProjectConfiguration.parse(
      json: #"""
        {"security": {"admission": {"owner": "\#(owner.publicKey.hexadecimal)",
          "allowList": [\#(entry(member, signedBy: owner))], "peersPerAddressMax": 8}}}
        """#)
    let rules = AdmissionSetup.rules(configuration.security.admission)
    #expect(rules.allowedKeys == [CurvePublicKey(bytes: member.curvePublicKeyBytes)!])
    #expect(rules.peersPerAddressMax == 8 && rules.peersPerSubnetMax == nil)
    #expect(rules.proofOfWorkBits == 0 && rules.messagesPerSecondPerPeer == nil)
    let project = NodeCommand.projectID(configuration)
    let listener = try ZMQTransport(
      keyPair: .generate(), projectID: project,
      listenAddress: try NetworkAddress(parsing: "127.0.0.1:0"),
      admission: AdmissionPolicy(rules: rules), eventHandler: { _ in })
    defer { listener.close() }
    let admitted = try ZMQTransport(keyPair: member, projectID: project, eventHandler: { _ in })
    defer { admitted.close() }
    #expect(try await admitted.connect(to: listener.contact!) == listener.peerID)
    let stranger = try ZMQTransport(
      keyPair: .generate(), projectID: project, eventHandler: { _ in })
    defer { stranger.close() }
    await #expect {
      try await stranger.connect(to: listener.contact!)
    } throws: { error in
      if case .authenticationFailed(_, 400) = error as? TransportError { true } else { false }
    }
  }

  @Test func keygenGrindsAKeyWithTheProofOfWorkAndSignsAllowListEntries() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    let member = SigningKeyPair.generate().publicKey
    let output = Output.capturing()
    let status = StarlingCLI.run(
      ["keygen", "--out", file, "--pow-bits", "6", "--sign-allow", member.hexadecimal, "--json"],
      output: output)
    #expect(status == 0, "\(output.lines)")
    let last = try #require(output.lines.last)
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
    let powBits = try #require(json["powBits"] as? Int)
    let tries = try #require(json["tries"] as? Int)
    #expect(powBits >= 6)
    #expect(tries >= 1)
    let keyPair = try #require(try KeyStore.load(file: file))
    #expect(ProofOfWork.bits(ofCurveKeyBytes: keyPair.curvePublicKeyBytes) >= 6)
    let entries = try #require(json["allowListEntries"] as? [[String: String]])
    let signatureHexadecimal = try #require(entries[0]["signature"])
    let signatureBytes = try #require(bytes(fromHexadecimal: signatureHexadecimal))
    let signature = try #require(Signature(bytes: signatureBytes))
    #expect(entries[0]["key"] == member.hexadecimal)
    #expect(
      keyPair.publicKey.verify(
        signature: signature, message: AdmissionConfiguration.allowListMessage(for: member)))
  }

  @Test func keygenRefusesAnExistingKeyWithTooLittleWorkAndKeepsIt() throws {
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/identity.key"
    var keyPair = SigningKeyPair.generate()
    while ProofOfWork.bits(ofCurveKeyBytes: keyPair.curvePublicKeyBytes) >= 20 {
      keyPair = SigningKeyPair.generate()
    }
    try KeyStore.create(file: file, keyPair: keyPair)
    let output = Output.capturing()
    #expect(StarlingCLI.run(["keygen", "--out", file, "--pow-bits", "20"], output: output) != 0)
    #expect(try KeyStore.load(file: file)?.publicKey == keyPair.publicKey)
    #expect(StarlingCLI.run(["keygen", "--pow-bits", "29"], output: Output.capturing()) != 0)
  }
}
