import Coordination
import Testing
import Wire

/// Scenarios over the deterministic network harness: each runs a group from a fixed seed and
/// checks what every member ends up knowing, within bounds stated in protocol periods.
@Suite struct MembershipScenarioTests {
  static let configuration = MembershipConfiguration()

  /// Periods for a rumour to reach everyone: infection-style spread takes about
  /// log2(n) + ln(n) rounds of one contact each, and a member contacts about two others a period
  /// (its ping and its ack); this allows log2(n + 1) periods plus two for latency.
  static func disseminationPeriodsMax(_ size: Int) -> Double {
    Double(ceilLog2(size + 1) + 2)
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
    let timeoutPeriods =
      Double(
        Self.configuration.suspicionTimeoutMilliseconds(memberCount: size))
      / Double(Self.configuration.protocolPeriodMilliseconds)
    let dead = network.run(periodsMax: 60) {
      network.everyone(about: victim) { $0?.status == .dead }
    }
    let periodsToDead = try #require(dead, "the crashed member was not declared dead everywhere")
    // Each of the n - 1 probers picks the victim with probability about 1 / (n - 1) a period, so
    // nobody probes it in a given period with probability about 1/e: waiting more than 7 periods
    // has odds near e^-7. Then one period to time out.
    #expect(periodsToSuspect <= 8)
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

  @Test func indirectProbesKeepMemberAliveWhenOnlyTheDirectLinkIsLossy() {
    let (network, prober, target) = Self.groupWithBrokenLink(indirectProbes: 3)
    network.run(periods: 30)
    let requests = network.sentMessages.filter {
      guard $0.from == prober, case .pingRequest(_, let about, _) = $0.message else { return false }
      return about == target
    }
    #expect(!requests.isEmpty, "the prober never needed help: the link was not tested")
    for peer in network.livePeers {
      #expect(!network.observed[peer, default: []].contains(.memberSuspected(target)))
      #expect(network.view(of: peer, about: target)?.status == .alive || peer == target)
    }
  }

  @Test func withoutIndirectProbesTheBrokenLinkCausesSuspicion() {
    let (network, prober, target) = Self.groupWithBrokenLink(indirectProbes: 0)
    network.run(periods: 30)
    #expect(network.observed[prober, default: []].contains(.memberSuspected(target)))
  }

  /// Eight members; the links between peer 0 and peer 5 drop everything, both ways.
  static func groupWithBrokenLink(
    indirectProbes: Int
  ) -> (network: MembershipNetwork, prober: PeerID, target: PeerID) {
    var configuration = MembershipConfiguration()
    configuration.indirectProbes = indirectProbes
    let network = MembershipNetwork.converged(size: 8, seed: 31, configuration: configuration)
    let prober = MembershipNetwork.peer(0)
    let target = MembershipNetwork.peer(5)
    network.blockedLinks = [
      .init(from: prober, to: target), .init(from: target, to: prober),
    ]
    network.isRecording = true
    return (network, prober, target)
  }

  @Test(arguments: [16, 64])
  func falselySuspectedMemberRefutesAndEveryoneSeesItAliveAgain(size: Int) throws {
    let network = MembershipNetwork.converged(size: size, seed: 41)
    network.run(periods: 2)
    let accused = MembershipNetwork.peer(3)
    let accuser = MembershipNetwork.peer(1)
    let listener = MembershipNetwork.peer(2)
    let rumour = MemberUpdate(peer: accused, status: .suspect, incarnation: 0)
    network.inject(.ping(sequence: 1, gossip: [rumour]), from: accuser, to: listener)
    #expect(network.view(of: listener, about: accused)?.status == .suspect)
    let periods = network.run(periodsMax: 30) {
      network.everyone(about: accused) { member in
        member.map { $0.status == .alive && $0.incarnation >= 1 } ?? false
      }
    }
    let measured = try #require(periods, "the refutation did not reach everyone")
    // The refutation must overtake the suspicion before anyone's timer runs out.
    let timeout = Self.configuration.suspicionTimeoutMilliseconds(memberCount: size)
    #expect(measured < Double(timeout) / Double(Self.configuration.protocolPeriodMilliseconds))
    #expect(network.node(accused).incarnation == 1)
    #expect(network.observed[listener, default: []].contains(.memberRecovered(accused)))
    for peer in network.livePeers {
      #expect(!network.observed[peer, default: []].contains(.memberDied(accused)))
    }
  }

  @Test func restartedMemberRejoinsWithHigherIncarnation() throws {
    let network = MembershipNetwork.converged(size: 16, seed: 53)
    network.run(periods: 2)
    let index = 7
    let restarted = MembershipNetwork.peer(index)
    network.crash(restarted)
    let dead = network.run(periodsMax: 40) {
      network.everyone(about: restarted) { $0?.status == .dead }
    }
    try #require(dead != nil, "the crashed member was never declared dead")
    let restartedAt = network.nowMilliseconds
    network.join(index, through: [0], seed: 1234)
    let periods = network.run(periodsMax: 30) {
      network.everyone(about: restarted) { member in
        guard let member else { return false }
        return member.status == .alive && member.incarnation >= 1
          && member.record.joinedAtMilliseconds == restartedAt
      }
    }
    let measured = try #require(periods, "the restarted member was not seen alive everywhere")
    #expect(measured <= Self.disseminationPeriodsMax(16))
    #expect(network.node(restarted).incarnation >= 1)
    #expect(network.node(restarted).count == 16)
    let joined = MembershipAction.memberJoined(
      MembershipNetwork.record(index, joinedAtMilliseconds: restartedAt))
    for peer in network.livePeers where peer != restarted {
      #expect(network.observed[peer, default: []].contains(joined))
    }
  }

  @Test func leaveIsDisseminatedToEveryone() throws {
    let network = MembershipNetwork.converged(size: 32, seed: 61)
    network.run(periods: 2)
    network.resetCounters()
    let leaver = MembershipNetwork.peer(9)
    network.leave(leaver)
    #expect(!network.node(leaver).isMember)
    let periods = network.run(periodsMax: 20) {
      network.everyone(about: leaver) { $0?.status == .left }
    }
    let measured = try #require(periods, "the departure did not reach everyone")
    #expect(measured <= Self.disseminationPeriodsMax(32))
    for peer in network.livePeers where peer != leaver {
      let seen = network.observed[peer, default: []]
      #expect(seen.contains(.memberLeft(leaver)))
      #expect(!seen.contains(.memberDied(leaver)) && !seen.contains(.memberSuspected(leaver)))
    }
  }

  @Test(arguments: [1, 4, 32])
  func gossipPerMessageNeverExceedsTheBound(limit: Int) {
    var configuration = MembershipConfiguration()
    configuration.gossipPerMessageMax = limit
    let network = MembershipNetwork.converged(size: 24, seed: 71, configuration: configuration)
    network.isRecording = true
    // A burst of news: 48 newcomers through 3 bootstrap members, then a departure and a crash.
    for newcomer in 24..<72 {
      network.join(newcomer, through: [newcomer % 3], seed: UInt64(newcomer))
    }
    network.run(periods: 3)
    network.leave(MembershipNetwork.peer(5))
    network.crash(MembershipNetwork.peer(6))
    network.run(periods: 5)
    let sizes = network.sentMessages.map(\.message.gossip.count)
    #expect(sizes.max() == limit, "the burst never filled a message: the bound was not tested")
    #expect(sizes.allSatisfy { $0 <= limit })
  }

  @Test(arguments: [0.0, 0.05])
  func messagesPerMemberPerPeriodStayBoundedAsTheGroupGrows(loss: Double) {
    var means: [Int: Double] = [:]
    for size in [16, 64, 256] {
      let (mean, busiest, deaths) = Self.measureTraffic(size: size, loss: loss)
      means[size] = mean
      // One ping plus one ack on average; each probe that loses its ping or ack (about 2 * loss
      // of them) adds k ping requests and k relayed round trips, 4k messages.
      #expect(mean <= 2.1 + 30 * loss)
      // The busiest member answers the most pings: a balls-into-bins maximum, O(log n / log log n).
      #expect(busiest <= 2 + 2 * Self.ceilLog2(size) + Int(loss * 40))
      #expect(deaths == 0, "a live member was declared dead at \(loss) loss")
    }
    for size in [64, 256] {
      let logRatio = Double(Self.ceilLog2(size)) / Double(Self.ceilLog2(16))
      #expect(means[size]! <= means[16]! * logRatio, "traffic grows faster than log n")
    }
  }

  /// Sends per member per period over 8 periods of a converged group: the mean, the busiest
  /// member in any one period, and how many members were declared dead.
  static func measureTraffic(size: Int, loss: Double) -> (mean: Double, busiest: Int, deaths: Int) {
    let network = MembershipNetwork.converged(size: size, seed: 83)
    network.lossProbability = loss
    network.run(periods: 2)
    let periods = 8
    var busiest = 0
    var total = 0
    var deaths = 0
    for _ in 0..<periods {
      network.resetCounters()
      network.run(periods: 1)
      busiest = max(busiest, network.sentCounts.values.max() ?? 0)
      total += network.sentCounts.values.reduce(0, +)
      deaths += network.observed.values.reduce(0) { count, actions in
        count + actions.filter { if case .memberDied = $0 { true } else { false } }.count
      }
    }
    return (Double(total) / Double(periods * size), busiest, deaths)
  }
}
