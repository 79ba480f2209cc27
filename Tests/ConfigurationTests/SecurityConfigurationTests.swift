import Testing

@testable import Configuration

struct SecurityConfigurationTests {
  @Test func defaultsAreAPlainMeanWithNoAssumedAttackers() throws {
    let security = try ProjectConfiguration.parse(json: "{}").security
    #expect(security.aggregation.map(\.description) == ["mean"])
    #expect(security.byzantineFraction == 0)
    #expect(security.workerMomentum == nil)
    #expect(security.aggregatorsSee == .updates)
  }

  @Test func aggregatorsThatSeeOnlySumsReadAndRefuseClientLevelPrivacy() throws {
    let security = try ProjectConfiguration.parse(
      json: #"{"security": {"aggregation": ["median"], "aggregatorsSee": "sums"}}"#
    ).security
    #expect(security.aggregatorsSee == .sums)
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "security.aggregatorsSee",
        reason:
          "client-level privacy clips each update at its aggregator, which an aggregator that "
          + "sees only sums cannot do")
    ) {
      try ProjectConfiguration.parse(
        json:
          #"{"security": {"aggregatorsSee": "sums", "privacy": {"noiseMultiplier": 1, "clipNorm": 1}}}"#
      )
    }
  }

  @Test func pipelinesReadAsStagesThenARule() throws {
    let security = try ProjectConfiguration.parse(
      json:
        #"{"security": {"aggregation": ["nnm+bucketing+krum", "median"], "byzantineFraction": 0.2}}"#
    ).security
    #expect(security.aggregation[0].stages == ["nnm", "bucketing"])
    #expect(security.aggregation[0].rule == "krum")
    #expect(security.aggregation[1].description == "median")
  }

  @Test(arguments: [
    (#"{"security": {"aggregation": ["krum+nnm"]}}"#, "security.aggregation[0]"),
    (#"{"security": {"aggregation": ["mean", "fancy"]}}"#, "security.aggregation[1]"),
    (#"{"security": {"aggregation": []}}"#, "security.aggregation"),
    (#"{"security": {"aggregation": "median"}}"#, "security.aggregation"),
    (#"{"security": {"byzantineFraction": 0.5}}"#, "security.byzantineFraction"),
    (#"{"security": {"aggregatorsSee": "masks"}}"#, "security.aggregatorsSee"),
    (#"{"security": {"reputationDecay": 1}}"#, "security.reputationDecay"),
    (
      #"{"security": {"aggregatorsSee": "sums", "reputationDecay": 0.8}}"#,
      "security.reputationDecay"
    ),
    (#"{"experiment": {"rules": ["reputation+fancy"]}}"#, "experiment.rules[0]"),
    (#"{"experiment": {"attacks": ["none", "teleport"]}}"#, "experiment.attacks[1]"),
    (#"{"experiment": {"rules": ["momentum+flame+mean"]}}"#, "experiment.rules[0]"),
  ])
  func badEntriesNameTheirPath(json: String, path: String) {
    do {
      _ = try ProjectConfiguration.parse(json: json)
      Issue.record("\(json) should not load")
    } catch {
      #expect(error.description.contains(path), "\(error)")
    }
  }

  @Test func theExperimentGridReadsWithMomentumPrefixes() throws {
    let experiment = try ProjectConfiguration.parse(
      json:
        #"{"experiment": {"rules": ["momentum+nnm+centeredclip"], "byzantineFractions": [0.1], "seeds": [3, 4]}}"#
    ).experiment
    #expect(experiment.rules == ["momentum+nnm+centeredclip"])
    #expect(
      ExperimentConfiguration.gridRule(experiment.rules[0])
        == .init(usesMomentum: true, pipeline: "nnm+centeredclip"))
    #expect(
      ExperimentConfiguration.gridRule("reputation+momentum+median")
        == .init(usesMomentum: true, usesReputation: true, pipeline: "median"))
    #expect(ExperimentConfiguration.gridRule("krum") == .init(pipeline: "krum"))
    #expect(experiment.seeds == [3, 4])
    #expect(experiment.attacks.first == "none")
  }

  @Test func theResolvedConfigurationReadsBackEqual() throws {
    let configuration = try ProjectConfiguration.parse(
      json:
        #"{"security": {"aggregation": ["clip+median"], "workerMomentum": 0.5, "aggregatorsSee": "sums"}}"#
    )
    #expect(try ProjectConfiguration.parse(json: configuration.resolvedJSON()) == configuration)
  }
}
