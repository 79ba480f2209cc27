import Coordination
import Testing
import Wire

@testable import Node

/// A council member that deposed its coordinator for stalling (`NodeController+Progress`)
/// follows it again once `rotateEvery` more rounds have committed, unless it also caught that
/// coordinator forging.
@Suite struct StallPardonTests {
  let founders = (0..<3).map { PeerID(simulatedIndex: $0) }

  func member() -> NodeController {
    var settings = NodeSettings(
      mode: .fdfl, plan: RoundPlan(trainersPerRound: 2, roundDurationMilliseconds: 5_000),
      modelLength: 4, council: founders)
    settings.councilChecksCoordinator = true
    settings.replacesStalledCoordinator = true
    settings.rotateEvery = 3
    return NodeController(
      me: founders[1], settings: settings, peers: founders.filter { $0 != founders[1] },
      durable: NodeDurableState(
        council: nil, committedRound: 0, model: [0, 0, 0, 0], lastStartedRound: 0),
      seed: 5)
  }

  /// `node` with `staller` deposed for stalling after round 2 committed.
  func deposing(_ staller: PeerID, in node: inout NodeController) {
    _ = node.noteProgress(started: 2, committed: 2)
    node.stalledCoordinators[staller] = 2
    _ = node.councilStep(.depose(staller))
    #expect(node.council?.deposed.contains(staller) == true)
  }

  @Test func aStalledCoordinatorIsPardonedAfterRotateEveryRounds() {
    var node = member()
    let staller = founders[0]
    deposing(staller, in: &node)
    // Rounds 3 and 4 commit: not yet.
    _ = node.noteProgress(started: 4, committed: 4)
    #expect(node.council?.deposed.contains(staller) == true)
    #expect(node.stalledCoordinators[staller] == 2)
    // Round 5 is the third since: pardoned.
    _ = node.noteProgress(started: 5, committed: 5)
    #expect(node.council?.deposed.contains(staller) == false)
    #expect(node.stalledCoordinators.isEmpty)
  }

  @Test func aStalledCoordinatorAlsoCaughtForgingStaysDeposed() {
    var node = member()
    let staller = founders[0]
    deposing(staller, in: &node)
    node.suspectedCoordinators[staller] = "forged a model"
    _ = node.noteProgress(started: 8, committed: 8)
    #expect(node.council?.deposed.contains(staller) == true)
    #expect(node.stalledCoordinators.isEmpty)
  }
}
