import Testing

@testable import Configuration

@Suite struct NameSuggestionTests {
  @Test(arguments: [
    ("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("flaw", "lawn", 2),
    ("daat", "data", 1), ("ca", "abc", 3),
  ])
  func editDistanceCountsInsertionsDeletionsSubstitutionsAndAdjacentSwaps(
    first: String, second: String, distance: Int
  ) {
    #expect(NameSuggestion.editDistance(first, second) == distance)
    #expect(NameSuggestion.editDistance(second, first) == distance)
  }

  @Test(arguments: [
    ("trainig", "training"), ("learningrate", "learningRate"), ("Model", "model"),
    ("batchsize", "batchSize"), ("epoch", "epochs"), ("daat", "data"),
  ])
  func suggestsTheIntendedName(typed: String, intended: String) {
    let candidates = [
      "project", "model", "data", "training", "learningRate", "batchSize", "epochs",
    ]
    #expect(NameSuggestion.closest(to: typed, among: candidates) == intended)
  }

  @Test func fallsBackToANameThatContainsTheTypedOne() {
    #expect(
      NameSuggestion.closest(to: "header", among: ["labelColumn", "hasHeader"]) == "hasHeader")
    #expect(NameSuggestion.closest(to: "rate", among: ["kind", "learningRate"]) == "learningRate")
    // Too short to match by containment.
    #expect(NameSuggestion.closest(to: "ate", among: ["learningRate"]) == nil)
  }

  @Test func suggestsNothingWhenNoNameIsClose() {
    #expect(NameSuggestion.closest(to: "colour", among: ["model", "data"]) == nil)
    #expect(NameSuggestion.closest(to: "x", among: ["abc"]) == nil)
  }

  @Test func tiesGoToTheEarlierCandidate() {
    #expect(NameSuggestion.closest(to: "bat", among: ["cat", "hat"]) == "cat")
  }

  @Test func namesLongerThanTheLimitAreNotCompared() {
    let long = String(repeating: "a", count: NameSuggestion.comparedCharactersMax + 1)
    #expect(NameSuggestion.closest(to: long, among: [long]) == nil)
  }
}
