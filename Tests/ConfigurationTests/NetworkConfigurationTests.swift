import Testing

@testable import Configuration

@Suite struct NetworkConfigurationTests {
  let founder = String(repeating: "ab", count: 32)
  let contact = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7@127.0.0.1:7400"

  @Test func readsListenBootstrapAndTheFoundingCouncil() throws {
    let configuration = try ProjectConfiguration.parse(
      json:
        #"{"network": {"listen": "0.0.0.0:7400", "bootstrap": ["\#(contact)"], "council": ["\#(founder)"]}}"#
    )
    #expect(configuration.network.listen == "0.0.0.0:7400")
    #expect(configuration.network.bootstrap == [contact])
    #expect(configuration.network.council == [founder])
  }

  @Test func refusesABareAddressAPeerIDOfTheWrongShapeAndARepeatedFounder() {
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(json: #"{"network": {"bootstrap": ["127.0.0.1:7400"]}}"#)
    }
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(json: #"{"network": {"council": ["abc"]}}"#)
    }
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"network": {"council": ["\#(founder)", "\#(founder)"]}}"#)
    }
  }

  @Test func theProjectIdentityLeavesOutWhatEachMachineSetsForItself() throws {
    let base = try ProjectConfiguration.parse(json: #"{"network": {"council": ["\#(founder)"]}}"#)
    let local = try ProjectConfiguration.parse(
      json: #"""
        {"network": {"council": ["\#(founder)"], "listen": "0.0.0.0:9", "bootstrap": ["\#(contact)"]},
         "training": {"threads": 3, "checkpoint": "/elsewhere/model.safetensors"},
         "data": {"path": "/my/fashion-mnist"}}
        """#)
    #expect(base.identityJSON() == local.identityJSON())
    let otherCouncil = try ProjectConfiguration.parse(
      json: #"{"network": {"council": ["\#(String(repeating: "cd", count: 32))"]}}"#)
    #expect(base.identityJSON() != otherCouncil.identityJSON())
    let otherModel = try ProjectConfiguration.parse(
      json: #"{"network": {"council": ["\#(founder)"]}, "model": {"seed": 5}}"#)
    #expect(base.identityJSON() != otherModel.identityJSON())
  }
}
