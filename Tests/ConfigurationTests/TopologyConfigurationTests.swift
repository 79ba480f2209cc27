import Testing

@testable import Configuration

struct TopologyConfigurationTests {
  @Test func defaultsAreAnFDFLCouncilOfFive() throws {
    let topology = try ProjectConfiguration.parse(json: "{}").topology
    #expect(topology.mode == .fdfl)
    #expect(topology.council == 5)
    #expect(topology.aggregators == nil)
    #expect(topology.rotateEvery == 10)
    #expect(topology.roundDeadlineSeconds == 120)
    #expect(topology.membership == false)
  }

  @Test func federatedHasOneCoordinatorAndRejectsCouncilFields() throws {
    #expect(
      try ProjectConfiguration.parse(json: #"{"topology": {"mode": "federated"}}"#).topology.council
        == 1)
    for field in ["council", "aggregators", "rotateEvery"] {
      #expect(throws: ConfigurationError.self) {
        try ProjectConfiguration.parse(
          json: #"{"topology": {"mode": "federated", "\#(field)": 2}}"#)
      }
    }
  }

  @Test(arguments: [
    (#"{"topology": {"council": 0}}"#, "topology.council"),
    (#"{"topology": {"council": 102}}"#, "topology.council"),
    (#"{"topology": {"council": 5, "aggregators": 5}}"#, "topology.aggregators"),
    (#"{"topology": {"rotateEvery": 0}}"#, "topology.rotateEvery"),
    (#"{"topology": {"roundDeadlineSeconds": 0.05}}"#, "topology.roundDeadlineSeconds"),
    (#"{"topology": {"mode": "gossip"}}"#, "topology.mode"),
    (#"{"topology": {"councill": 3}}"#, "topology.councill"),
  ])
  func outOfRangeOrUnknownFieldsNameTheirPath(json: String, path: String) {
    do {
      _ = try ProjectConfiguration.parse(json: json)
      Issue.record("\(json) should not load")
    } catch {
      #expect(error.description.contains(path), "\(error.description)")
    }
  }

  @Test func limitsAreAcceptedAtTheBound() throws {
    let topology = try ProjectConfiguration.parse(
      json: #"{"topology": {"council": 101, "aggregators": 100, "roundDeadlineSeconds": 0.1}}"#
    ).topology
    #expect(topology.council == 101 && topology.aggregators == 100)
  }
}
