import Testing

@testable import Commands

/// Runs whose own checks fail exit 1 after printing their figures, so that scripts and CI see it.
struct ExitStatusTests {
  @Test func aSweepWithAFailingSeedExitsOne() {
    #expect(StarlingCLI.exitStatus(of: ["command": "simulate", "failed": 1]) == 1)
    #expect(StarlingCLI.exitStatus(of: ["command": "simulate", "failed": 0]) == 0)
  }

  @Test func aClusterWhoseHistoriesDisagreeOrWhoseRestartLostARoundExitsOne() {
    #expect(StarlingCLI.exitStatus(of: ["historiesAgree": false]) == 1)
    #expect(
      StarlingCLI.exitStatus(of: ["historiesAgree": true, "restartsBehindCommittedRound": 2]) == 1)
    #expect(
      StarlingCLI.exitStatus(of: ["historiesAgree": true, "restartsBehindCommittedRound": 0]) == 0)
  }

  @Test func aSingleSimulationHasNoSuchCheck() {
    #expect(StarlingCLI.exitStatus(of: ["command": "simulate", "rounds": 4]) == 0)
  }
}
