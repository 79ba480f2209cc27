import Identity
import Testing

@testable import Configuration

struct AdmissionConfigurationTests {
  func parse(_ admission: String) throws -> AdmissionConfiguration {
    try ProjectConfiguration.parse(json: #"{"security": {"admission": "# + admission + "}}")
      .security.admission
  }

  func entry(_ key: SigningKeyPair, signedBy owner: SigningKeyPair?) -> String {
    guard let owner else { return #"{"key": "\#(key.publicKey.hexadecimal)"}"# }
    let signature = owner.sign(AdmissionConfiguration.allowListMessage(for: key.publicKey))
    return
      #"{"key": "\#(key.publicKey.hexadecimal)", "signature": "\#(hexadecimal(signature.bytes))"}"#
  }

  @Test func everyRuleIsOffByDefaultAndTheProjectIDDoesNotChange() throws {
    let plain = try ProjectConfiguration.parse(json: "{}")
    #expect(plain.security.admission.isOff)
    #expect(plain.security.admission.allowList == nil)
    let explicit = try ProjectConfiguration.parse(
      json: #"{"security": {"admission": {"proofOfWorkBits": 0, "peersPerAddressMax": 0}}}"#)
    #expect(explicit.identityJSON() == plain.identityJSON())
    #expect(!plain.identityJSON().contains("admission"))
  }

  @Test func rulesReadAndArePartOfTheProjectID() throws {
    let text = #"""
      {"security": {"admission": {"proofOfWorkBits": 16, "peersPerAddressMax": 4,
        "peersPerSubnetMax": 32, "connectionAttemptsPerSecond": 5, "messagesPerSecondPerPeer": 200,
        "banMisbehavingAggregators": true}}}
      """#
    let configuration = try ProjectConfiguration.parse(json: text)
    let admission = configuration.security.admission
    #expect(admission.proofOfWorkBits == 16)
    #expect(admission.peersPerAddressMax == 4)
    #expect(admission.peersPerSubnetMax == 32)
    #expect(admission.connectionAttemptsPerSecond == 5)
    #expect(admission.messagesPerSecondPerPeer == 200)
    #expect(admission.banMisbehavingAggregators)
    #expect(configuration.identityJSON().contains("proofOfWorkBits"))
    #expect(
      configuration.identityJSON() != (try ProjectConfiguration.parse(json: "{}")).identityJSON())
    // The resolved text reads back as the same configuration.
    #expect(try ProjectConfiguration.parse(json: configuration.resolvedJSON()) == configuration)
  }

  @Test(arguments: [
    (#"{"proofOfWorkBits": 29}"#, "security.admission.proofOfWorkBits"),
    (#"{"proofOfWorkBits": -1}"#, "security.admission.proofOfWorkBits"),
    (#"{"peersPerAddressMax": 65537}"#, "security.admission.peersPerAddressMax"),
    (#"{"connectionAttemptsPerSecond": -2}"#, "security.admission.connectionAttemptsPerSecond"),
    (#"{"messagesPerSecondPerPeer": 1e7}"#, "security.admission.messagesPerSecondPerPeer"),
  ])
  func valuesOutOfRangeAreRefused(admission: String, path: String) {
    #expect {
      try parse(admission)
    } throws: { error in
      if case .outOfRange(let found, _, _) = error as? ConfigurationError {
        found == path
      } else {
        false
      }
    }
  }

  @Test func badValuesAreTypedConfigurationErrors() {
    #expect(throws: ConfigurationError.self) { try parse(#"{"proofOfWorkBits": "lots"}"#) }
    #expect(throws: ConfigurationError.self) {
      try parse(#"{"peersPerSubnetMax": 2, "peersPerAddressMax": 3}"#)
    }
    #expect(throws: ConfigurationError.self) { try parse(#"{"allowList": [{"key": "zz"}]}"#) }
    #expect(throws: ConfigurationError.self) { try parse(#"{"allowList": []}"#) }
    #expect(throws: ConfigurationError.self) { try parse(#"{"allowList": [{}]}"#) }
    #expect(throws: ConfigurationError.self) {
      try parse(#"{"owner": "\#(SigningKeyPair.generate().publicKey.hexadecimal)"}"#)
    }
    #expect(throws: ConfigurationError.self) { try parse(#"{"typo": 1}"#) }
  }

  @Test func anUnsignedAllowListReadsWithoutAnOwner() throws {
    let members = [SigningKeyPair.generate(), SigningKeyPair.generate()]
    let admission = try parse(
      #"{"allowList": [\#(members.map { entry($0, signedBy: nil) }.joined(separator: ","))]}"#)
    #expect(admission.allowList?.map(\.publicKey) == members.map(\.publicKey))
    #expect(admission.owner == nil)
    // A duplicate key, or a signature without an owner, is refused.
    #expect(throws: ConfigurationError.self) {
      try parse(
        #"{"allowList": [\#(entry(members[0], signedBy: nil)), \#(entry(members[0], signedBy: nil))]}"#
      )
    }
    #expect(throws: ConfigurationError.self) {
      try parse(#"{"allowList": [\#(entry(members[0], signedBy: members[1]))]}"#)
    }
  }

  @Test func anAllowListSignedByTheOwnerReadsAndABadSignatureIsAConfigurationError() throws {
    let owner = SigningKeyPair.generate()
    let members = [SigningKeyPair.generate(), SigningKeyPair.generate()]
    let list = members.map { entry($0, signedBy: owner) }.joined(separator: ",")
    let admission = try parse(
      #"{"owner": "\#(owner.publicKey.hexadecimal)", "allowList": [\#(list)]}"#)
    #expect(admission.owner == owner.publicKey)
    #expect(admission.allowList?.map(\.publicKey) == members.map(\.publicKey))
    // Signed by someone else.
    let forged = entry(members[1], signedBy: SigningKeyPair.generate())
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "security.admission.allowList[1].signature",
        reason: "the signature does not verify against the owner's key \(owner.publicKey)")
    ) {
      try parse(
        #"{"owner": "\#(owner.publicKey.hexadecimal)", "allowList": [\#(entry(members[0], signedBy: owner)), \#(forged)]}"#
      )
    }
    // An entry without a signature under an owner.
    #expect(
      throws: ConfigurationError.missingField(path: "security.admission.allowList[0].signature")
    ) {
      try parse(
        #"{"owner": "\#(owner.publicKey.hexadecimal)", "allowList": [\#(entry(members[0], signedBy: nil))]}"#
      )
    }
  }
}
