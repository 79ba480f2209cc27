import Configuration
import Foundation
import Identity
import Transport
import Wire

/// Real `starling node` processes on 127.0.0.1, started, watched, killed and restarted by one
/// parent: the demo, the failover tests and the kill trials. Every child is stopped by its PID
/// when the cluster is stopped, also after a failure or Ctrl-C.
final class LocalCluster: @unchecked Sendable {
  struct Peer {
    let index: Int
    let directory: String
    let peerID: PeerID
    var process: Process?
    var contact: Contact?
  }

  let binary: String
  let directory: String
  let configPath: String
  let peerCount: Int
  let extraArguments: [String]
  /// More arguments for some peers only (a `--fault`, say), by index.
  let peerArguments: [Int: [String]]
  private(set) var peers: [Peer] = []
  let projectID: ProjectID
  /// The key of the cluster's status queries when the project asks for proof of work: ground
  /// once (grinding one per query would take seconds each); nil: a fresh key per query.
  let queryKeyPair: SigningKeyPair?
  private let lock = NSLock()
  /// Restarts whose node exited before it listened (a store that did not open, say).
  private(set) var restartFailures = 0

  /// Creates the peers' identities in `directory`/peer-I and the project file that names the
  /// first `councilSize` of them as the founding council.
  init(
    binary: String, configuration: String, directory: String, peerCount: Int, councilSize: Int,
    extraArguments: [String] = [], peerArguments: [Int: [String]] = [:]
  ) throws {
    self.binary = binary
    self.directory = directory
    self.peerCount = peerCount
    self.extraArguments = extraArguments
    self.peerArguments = peerArguments
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // The peers' keys exist before the project file that names the council, so they are ground
    // to the proof of work of the configuration it extends.
    let bits = try ProjectConfiguration.load(path: configuration).security.admission
      .proofOfWorkBits
    for index in 0..<peerCount {
      let peerDirectory = directory + "/peer-\(index)"
      let keyPair = try AdmissionSetup.keyPair(
        inDirectory: peerDirectory, proofOfWorkBits: bits, output: Output.capturing())
      peers.append(
        Peer(
          index: index, directory: peerDirectory, peerID: PeerID(publicKey: keyPair.publicKey)))
    }
    let council = peers.prefix(councilSize).map { "\"\($0.peerID.hexadecimal)\"" }
    let base = URL(fileURLWithPath: configuration).standardizedFileURL.path
    configPath = directory + "/project.json"
    let text = """
      {"extends": "\(base)", "network": {"council": [\(council.joined(separator: ", "))]}}

      """
    try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    projectID = NodeCommand.projectID(try ProjectConfiguration.load(path: configPath))
    queryKeyPair = bits > 0 ? AdmissionSetup.queryKeyPair(proofOfWorkBits: bits) : nil
  }

  /// Starts peer `index`: peer 0 first (the others bootstrap from it), listening on a free port
  /// (its previous one on a restart).
  func start(_ index: Int) throws {
    let peer = peers[index]
    let bootstrap = peers.first {
      $0.index != index && $0.contact != nil && $0.process?.isRunning == true
    }?.contact
    var arguments = [
      "node", "--config", configPath, "--data-dir", peer.directory, "--listen", "127.0.0.1:0",
      "--shard", "\(index)/\(peerCount)", "--log-format", "json",
    ]
    if let bootstrap { arguments += ["--bootstrap", bootstrap.description] }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments + extraArguments + (peerArguments[index] ?? [])
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    process.environment = environment
    FileManager.default.createFile(atPath: peer.directory + "/node.log", contents: nil)
    let log = try FileHandle(forUpdating: URL(fileURLWithPath: peer.directory + "/node.log"))
    log.seekToEndOfFile()
    process.standardError = log
    process.standardOutput = FileHandle.nullDevice
    try? FileManager.default.removeItem(atPath: peer.directory + "/contact.new")
    try process.run()
    lock.withLock { peers[index].process = process }
    // For whoever must clean up after this parent dies (a test's bound, say).
    try? "\(process.processIdentifier)\n".write(
      toFile: peer.directory + "/pid", atomically: true, encoding: .utf8)
    // Wait (bounded) for the contact the node writes once it listens.
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline, process.isRunning {
      if let contact = NodeCommand.previousContact(in: peer.directory), isListening(contact) {
        lock.withLock { peers[index].contact = contact }
        return
      }
      Thread.sleep(forTimeInterval: 0.1)
    }
    throw UsageError(
      "peer \(index) did not start listening within 60 s (see \(peer.directory)/node.log)")
  }

  private func isListening(_ contact: Contact) -> Bool {
    // The contact file is rewritten at start; a fresh process's port accepts TCP.
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { return false }
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = contact.address.port.bigEndian
    address.sin_addr.s_addr = inet_addr(contact.address.host)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  func isRunning(_ index: Int) -> Bool {
    lock.withLock { peers[index].process?.isRunning ?? false }
  }

  /// SIGKILL: the process dies at once, mid-step if it was in one.
  func kill(_ index: Int) {
    guard let process = lock.withLock({ peers[index].process }), process.isRunning else { return }
    Glibc.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  /// SIGTERM to every running peer, then SIGKILL to any still running after `graceSeconds`;
  /// the exit statuses of the peers that stopped cleanly.
  @discardableResult
  func stopAll(graceSeconds: Double = 10) -> [Int: Int32] {
    let running = lock.withLock { peers.compactMap { $0.process } }.filter(\.isRunning)
    for process in running { Glibc.kill(process.processIdentifier, SIGTERM) }
    let deadline = Date().addingTimeInterval(graceSeconds)
    while Date() < deadline, running.contains(where: \.isRunning) {
      Thread.sleep(forTimeInterval: 0.05)
    }
    for process in running where process.isRunning {
      Glibc.kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    var statuses: [Int: Int32] = [:]
    for (index, peer) in lock.withLock({ peers }).enumerated() {
      if let process = peer.process, running.contains(where: { $0 === process }) {
        statuses[index] = process.terminationStatus
      }
    }
    return statuses
  }

  /// Every child's PID, for a signal handler that must not take locks.
  var processIdentifiers: [Int32] {
    lock.withLock { peers.compactMap { $0.process?.processIdentifier } }
  }

  /// The status of peer `index`, nil when it does not answer in time.
  func status(_ index: Int, timeoutSeconds: Double = 3) -> [String: Any]? {
    guard isRunning(index), let contact = lock.withLock({ peers[index].contact }) else {
      return nil
    }
    return try? StatusCommand.query(
      contact: contact, projectID: projectID, timeoutSeconds: timeoutSeconds,
      keyPair: queryKeyPair ?? .generate())
  }

  /// The peer position of a peer ID.
  func index(of hexadecimal: String) -> Int? {
    peers.firstIndex { $0.peerID.hexadecimal == hexadecimal }
  }

  /// Restarts of peer `index` that came back at a round older than one it had committed before
  /// (a committed round lost by the store), from its JSON log.
  func roundsLostAtRestart(_ index: Int) -> Int {
    guard
      let text = try? String(contentsOfFile: peers[index].directory + "/node.log", encoding: .utf8)
    else { return 0 }
    var highest: UInt64 = 0
    var lost = 0
    for line in text.split(separator: "\n") {
      guard
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let event = object["event"] as? String,
        let round = (object["round"] as? NSNumber)?.uint64Value
      else { continue }
      if event == "committed" { highest = max(highest, round) }
      if event == "started", round < highest { lost += 1 }
    }
    return lost
  }

  /// The sum over running nodes of each one's peak resident memory (VmHWM), in MB.
  func peakResidentMegabytes() -> Double {
    var kibibytes = 0
    for pid in processIdentifiers {
      guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let value = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
      else { continue }
      kibibytes += value
    }
    return Double(kibibytes) / 1024
  }

  /// Medians over the rounds after the first: the time between consecutive commits (as the
  /// committing peers logged them), the slowest trainer's training time in the round, the share
  /// of the round that was not the slowest trainer's training, and the bytes all nodes sent.
  func roundCosts() -> (
    roundSeconds: Double, trainingSeconds: Double, overheadFraction: Double, bytesPerRound: Double
  ) {
    var commitTimes: [UInt64: UInt64] = [:]
    var training: [UInt64: UInt64] = [:]
    for peer in peers {
      guard let text = try? String(contentsOfFile: peer.directory + "/node.log", encoding: .utf8)
      else { continue }
      for line in text.split(separator: "\n") {
        guard
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let event = object["event"] as? String,
          let round = (object["round"] as? NSNumber)?.uint64Value,
          let time = (object["time"] as? NSNumber)?.uint64Value
        else { continue }
        if event == "committed" { commitTimes[round] = min(commitTimes[round] ?? .max, time) }
        if event == "trained", let milliseconds = (object["milliseconds"] as? NSNumber)?.uint64Value
        {
          training[round] = max(training[round] ?? 0, milliseconds)
        }
      }
    }
    var rounds: [Double] = []
    var trainings: [Double] = []
    var overheads: [Double] = []
    for (round, time) in commitTimes {
      guard let previous = commitTimes[round - 1], round > 1, let trained = training[round],
        time > previous
      else { continue }
      let seconds = Double(time - previous) / 1000
      rounds.append(seconds)
      trainings.append(Double(trained) / 1000)
      overheads.append(max(0, seconds - Double(trained) / 1000) / seconds)
    }
    let bytes = Double(
      peers.indices.compactMap { status($0)?["bytesSent"] as? NSNumber }.reduce(0) {
        $0 + $1.intValue
      })
    let committed = Double(max(commitTimes.keys.max() ?? 1, 1))
    return (
      percentile(rounds, 0.5), percentile(trainings, 0.5), percentile(overheads, 0.5),
      bytes / committed
    )
  }

  /// Every `event` line of peer `index`'s JSON log, parsed, in order (none when the log cannot
  /// be read; a line that is not a JSON object is skipped).
  func events(_ event: String, loggedBy index: Int) -> [[String: Any]] {
    guard
      let text = try? String(contentsOfFile: peers[index].directory + "/node.log", encoding: .utf8)
    else { return [] }
    return text.split(separator: "\n").filter { $0.contains("\"event\":\"\(event)\"") }.compactMap {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
  }

  /// Each peer's committed rounds and their models' hashes, read from its JSON log: what the
  /// prefix check compares.
  func committedHistory(_ index: Int) -> [UInt64: String] {
    var history: [UInt64: String] = [:]
    for object in events("committed", loggedBy: index) {
      guard
        let round = object["round"] as? UInt64 ?? (object["round"] as? Int).map(UInt64.init),
        let model = object["model"] as? String
      else { continue }
      history[round] = model
    }
    return history
  }

  /// The `field` of every `event` line in peer `index`'s log, in order.
  func logged(_ event: String, _ field: String, by index: Int) -> [String] {
    events(event, loggedBy: index).compactMap { $0[field] as? String }
  }

  /// The council members that peer `index` last logged (its `councilChanged` events), as peer
  /// positions; nil when it logged no change (a founder still holds the council it started with).
  func lastCouncil(loggedBy index: Int) -> [Int]? {
    guard let members = events("councilChanged", loggedBy: index).last?["members"] as? [String]
    else { return nil }
    return members.compactMap(self.index(of:)).sorted()
  }

  /// The peers that peer `index` logged as banned through the council log, with the reason.
  func bans(_ index: Int) -> [String: String] {
    var bans: [String: String] = [:]
    for object in events("banned", loggedBy: index) {
      guard let peer = object["peerID"] as? String else { continue }
      bans[peer] = object["reason"] as? String ?? ""
    }
    return bans
  }
}
