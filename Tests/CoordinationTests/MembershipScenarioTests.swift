import Coordination
import Testing
import Wire

/// Scenarios over the deterministic network harness: each runs a group from a fixed seed and
/// checks what every member ends up knowing, within bounds stated in protocol periods.
@Suite struct MembershipScenarioTests {
  static let configuration = MembershipConfiguration()

  /// Periods for a rumour to reach everyone: infection-style spread takes about
  /// log2(n) + ln(n) rounds; this allows twice log2(n + 1) plus slack for one- or two-step
  /// latency.
  static func disseminationPeriodsMax(_ size: Int) -> Double {
    Double(2 * ceilLog2(size + 1) + 2)
  }

  static func ceilLog2(_ value: Int) -> Int { Int.bitWidth - (value - 1).leadingZeroBitCount }

  @Test(arguments: [16, 64, 128])
  func joinThroughBootstrapReachesEveryMemberWithinLogarithmicPeriods(size: Int) throws {
    let network = MembershipNetwork.converged(size: size, seed: 11)
    network.run(periods: 2)
    let newcomer = MembershipNetwork.peer(size)
    network.join(size, through: [0], seed: 99)
    let periods = network.run(periodsMax: 40) {
      network.everyone(about: newcomer) { $0?.status == .alive }
    }
    let measured = try #require(periods, "the newcomer never reached everyone")
    print("join n=\(size): \(measured) periods")
    #expect(measured <= Self.disseminationPeriodsMax(size))
    #expect(network.node(newcomer).count == size + 1)
    #expect(network.node(newcomer).isMember)
  }

  @Test(arguments: [16, 64])
  func crashedMemberIsSuspectedThenDeclaredDeadByEveryoneWithinBound(size: Int) throws {
    let network = MembershipNetwork.converged(size: size, seed: 23)
    network.run(periods: 2)
    let victim = MembershipNetwork.peer(size / 2)
    network.crash(victim)
    network.resetCounters()
    let suspected = network.run(periodsMax: 20) {
      network.observed.values.contains { $0.contains(.memberSuspected(victim)) }
    }
    let periodsToSuspect = try #require(suspected, "nobody suspected the crashed member")
    let timeoutPeriods = Double(
      Self.configuration.suspicionTimeoutMilliseconds(memberCount: size))
      / Double(Self.configuration.protocolPeriodMilliseconds)
    let dead = network.run(periodsMax: 60) {
      network.everyone(about: victim) { $0?.status == .dead }
    }
    let periodsToDead = try #require(dead, "the crashed member was not declared dead everywhere")
    print("crash n=\(size): suspect \(periodsToSuspect), dead \(periodsToSuspect + periodsToDead) timeout \(timeoutPeriods)")
    // The first probe of the victim comes within a few periods (each of n - 1 probers picks it
    // with probability 1 / (n - 1) per period); then one period to time out.
    #expect(periodsToSuspect <= 5)
    #expect(periodsToDead <= timeoutPeriods + Self.disseminationPeriodsMax(size))
    for peer in network.livePeers {
      #expect(network.observed[peer, default: []].contains(.memberDied(victim)))
      let others = network.observed[peer, default: []].filter {
        if case .memberSuspected(let suspect) = $0 { return suspect != victim }
        return false
      }
      #expect(others.isEmpty, "a live member was suspected without any loss")
    }
  }
}
