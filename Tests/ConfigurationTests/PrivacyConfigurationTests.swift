import Testing

@testable import Configuration

@Suite struct PrivacyConfigurationTests {
  @Test func absentMeansNoPrivacy() throws {
    #expect(try ProjectConfiguration.parse(json: "{}").training.privacy == nil)
  }

  @Test func readsEveryFieldWithDefaults() throws {
    let privacy = try ProjectConfiguration.parse(
      json: #"{"training": {"privacy": {"noiseMultiplier": 1.1}}}"#
    ).training.privacy!
    #expect(privacy.noiseMultiplier == 1.1)
    #expect(privacy.clipNorm == 1 && privacy.delta == 1e-5 && privacy.epsilonBudget == nil)
    let full = try ProjectConfiguration.parse(
      json: #"""
        {"training": {"privacy": {"noiseMultiplier": 2, "clipNorm": 0.1, "delta": 1e-6,
          "epsilonBudget": 3}}}
        """#
    ).training.privacy!
    #expect(full.noiseMultiplier == 2 && full.clipNorm == 0.1)
    #expect(full.delta == 1e-6 && full.epsilonBudget == 3)
  }

  @Test func needsNoiseOrABudget() {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "training.privacy",
        reason: "set noiseMultiplier, or epsilonBudget to calibrate the noise to it")
    ) { try ProjectConfiguration.parse(json: #"{"training": {"privacy": {"clipNorm": 1}}}"#) }
  }

  @Test func rejectsOutOfRangeValuesAndUnknownFields() {
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"privacy": {"noiseMultiplier": 1, "delta": 0.5}}}"#)
    }
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"privacy": {"noiseMultiplier": 0}}}"#)
    }
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"privacy": {"noiseMultiplier": 1, "epsilon": 3}}}"#)
    }
  }

  @Test func rejectsGlobalClippingAndAccumulationAlongside() {
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"gradientClipNorm": 1, "privacy": {"noiseMultiplier": 1}}}"#)
    }
    #expect(throws: ConfigurationError.self) {
      try ProjectConfiguration.parse(
        json: #"{"training": {"accumulationSteps": 2, "privacy": {"noiseMultiplier": 1}}}"#)
    }
  }

  @Test func survivesTheResolvedJSONRoundTrip() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"training": {"privacy": {"epsilonBudget": 3, "clipNorm": 0.1}}}"#)
    let again = try ProjectConfiguration.parse(json: configuration.resolvedJSON())
    #expect(again.training.privacy == configuration.training.privacy)
  }
}
