import Coordination
import Node
import Wire

/// Settings of one simulated run; one `seed` reproduces it bit for bit.
public struct SimulationSettings: Sendable {
  public var seed: UInt64
  public var peerCount: Int
  public var node: NodeSettings
  public var rounds: Int
  public var tickMilliseconds: UInt64 = 50
  public var network = NetworkModel()
  /// Training speed of each peer (samples per second); a slow phone next to a fast server.
  public var samplesPerSecond: [Double]
  /// Stop after this much virtual time even if rounds remain.
  public var timeLimitMilliseconds: UInt64 = 24 * 3_600_000

  public init(
    seed: UInt64, peerCount: Int, node: NodeSettings, rounds: Int, samplesPerSecond: [Double]
  ) {
    precondition(peerCount >= 2 && samplesPerSecond.count == peerCount, "simulation size")
    self.seed = seed
    self.peerCount = peerCount
    self.node = node
    self.rounds = rounds
    self.samplesPerSecond = samplesPerSecond
  }
}

/// One committed round as the simulator saw it.
public struct RoundReport: Sendable {
  public var round: UInt64
  public var virtualMilliseconds: UInt64
  public var coordinator: PeerID
  public var aggregators: [PeerID]
  public var trainers: [PeerID]
  public var accuracy: Double?
  public var peersAlive: Int
}

/// Totals of a run.
public struct SimulationReport: Sendable {
  public var rounds: [RoundReport] = []
  public var messages = 0
  public var bytes = 0
  public var rejected = 0
  public var virtualMilliseconds: UInt64 = 0
}

/// The deterministic discrete-event simulator: virtual time, a seeded network, and the same
/// `NodeController` that real peers run, driven synchronously.
public final class Simulator {
  enum Event {
    case tick(Int)
    case deliver(from: PeerID, to: Int, Message)
    case trainingDone(peer: Int, round: UInt64, weight: UInt32, delta: [Float])
  }

  public let settings: SimulationSettings
  public let peers: [PeerID]
  private var nodes: [NodeController]
  private var queue = EventQueue<Event>()
  private var generator: SplitMixGenerator
  private let training: ShardTraining
  private var index: [PeerID: Int] = [:]
  public private(set) var report = SimulationReport()

  public init(settings: SimulationSettings, training: ShardTraining, initialModel: [Float]) {
    self.settings = settings
    self.training = training
    generator = SplitMixGenerator(seed: settings.seed)
    let peers = (0..<settings.peerCount).map { PeerID(simulatedIndex: UInt64($0)) }
    self.peers = peers
    nodes = peers.enumerated().map { position, peer in
      NodeController(
        me: peer, settings: settings.node, peers: peers, coordinator: peers[0], model: initialModel,
        seed: settings.seed &+ UInt64(position))
    }
    for (position, peer) in peers.enumerated() { index[peer] = position }
    for position in peers.indices {
      queue.schedule(
        .tick(position), at: UInt64.random(in: 0..<settings.tickMilliseconds, using: &generator))
    }
  }

  /// Runs until `settings.rounds` rounds are committed or the time limit; `onRound` sees each.
  public func run(onRound: (RoundReport) -> Void = { _ in }) -> SimulationReport {
    while let (now, event) = queue.popEarliest() {
      if now > settings.timeLimitMilliseconds { break }
      report.virtualMilliseconds = now
      switch event {
      case .tick(let position):
        execute(nodes[position].handle(.tick(now: now)), at: position, now: now, onRound: onRound)
        queue.schedule(.tick(position), at: now + settings.tickMilliseconds)
      case .deliver(let sender, let position, let message):
        execute(
          nodes[position].handle(.received(from: sender, message, now: now)), at: position,
          now: now, onRound: onRound)
      case .trainingDone(let position, let round, let weight, let delta):
        execute(
          nodes[position].handle(
            .trainingFinished(round: round, weight: weight, delta: delta, now: now)), at: position,
          now: now, onRound: onRound)
      }
      if report.rounds.count >= settings.rounds { break }
    }
    return report
  }

  private func execute(
    _ effects: [NodeEffect], at position: Int, now: UInt64, onRound: (RoundReport) -> Void
  ) {
    let sender = peers[position]
    for effect in effects {
      switch effect {
      case .send(let receiver, let message):
        guard let target = index[receiver] else { continue }
        let bytes = message.estimatedBytes
        report.messages += 1
        report.bytes += bytes
        for delay in settings.network.deliveryDelays(
          from: sender, to: receiver, bytes: bytes, using: &generator)
        {
          queue.schedule(.deliver(from: sender, to: target, message), at: now + max(delay, 1))
        }
      case .train(let round, let model, _):
        let (weight, delta) = training.train(peer: position, from: model)
        let seconds = Double(weight) / max(settings.samplesPerSecond[position], 1)
        queue.schedule(
          .trainingDone(peer: position, round: round, weight: weight, delta: delta),
          at: now + UInt64(seconds * 1000) + 1)
      case .committed(let commit):
        let accuracy = training.accuracy(of: nodes[position].model)
        let round = RoundReport(
          round: commit.round, virtualMilliseconds: now, coordinator: sender,
          aggregators: commit.aggregators,
          trainers: commit.trainers, accuracy: accuracy, peersAlive: peers.count)
        report.rounds.append(round)
        onRound(round)
      case .rejected:
        report.rejected += 1
      }
    }
  }
}
