import Configuration
import Coordination
import Datasets
import Dispatch
import Foundation
import Identity
import Learning
import Node
import NodeRuntime
import Persistence
import Platform
import Simulation
import Tensors
import Transport
import Wire

/// `starling node`: one real peer of a project.
struct NodeCommand {
  static let usage = """
    usage: starling node --config FILE [--data-dir DIR] [--listen HOST:PORT] [--bootstrap CONTACT]...
                         [--shard I/N] [--log-format text|json] [--evaluate coordinator|every|never]
                         [--fault FAULT] [--set PATH=VALUE]...
    Joins the project FILE describes: trains when sampled, aggregates or coordinates when the
    council elects it, and keeps its state in DIR (default ./starling-node). On SIGINT or SIGTERM it
    abandons the step in progress, tells its neighbours, closes its store and exits 0.
      --data-dir DIR          identity.key, the SQLite store, contact and config.json (default ./starling-node)
      --listen HOST:PORT      accept peers here (network.listen); port 0 picks a free port; without
                              it the node only dials out (a trainer behind a NAT needs no open port)
      --bootstrap CONTACT     dial KEY@host:port first (network.bootstrap; repeatable)
      --shard I/N             train on shard I (0-based) of the configured partition into N shards
                              (default N: data.peers)
      --log-format text|json  one line per event on standard error, as text or JSON lines
      --evaluate WHICH        which committed models to evaluate on the test set: those this node
                              commits as coordinator (default), every one it applies (its status
                              then reports its own accuracy), or never
      --fault FAULT           misbehave on purpose, to test the defences: as an aggregator, send
                              partials with NaN in them (nan-partials), or alter a trainer's
                              update in each partial (alter-updates: its signature fails); as
                              coordinator, publish forged models (forge-model: the council's
                              members recompute them, refuse and depose it); honest peers refuse
                              and, with security.admission.banMisbehavingAggregators, ban this
                              node. withhold-copies: as an aggregator, send no copies of its
                              partials to the council (members get them from the coordinator).
                              assign-colluder: as coordinator, name a peer outside the council
                              aggregator (members refuse the entry and depose it).
                              assign-self: as coordinator, take the role the committed ranking
                              gives another member (members re-derive the ranking and refuse).
                              forge-entries: as assign-self, without signing the rewritten
                              entries again (members refuse the broken signature).
                              push-models: push every peer a forged model after each commit
                              (nobody takes it).
                              sum-other-values: as an aggregator, sum other values than its
                              trainers' signed updates (caught by security.auditFraction).
                              stall: as coordinator, never let a round open (members depose
                              it once a round is overdue, and elect another)
    The node prints its contact when it listens and writes it to DIR/contact.
    """

  let configuration: ProjectConfiguration
  let dataDirectory: String
  let listen: NetworkAddress?
  let bootstrap: [Contact]
  let shard: (index: Int, count: Int)
  let logFormat: RuntimeLog.Format
  let evaluation: NodeRuntime.Evaluation
  let fault: NodeRuntime.Fault?
  let memoryBudget: MemoryBudget

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: [])
    let train = try TrainCommand(parsing: &arguments, extraFieldFlags: [])
    dataDirectory = try arguments.nonEmptyOption("data-dir") ?? "starling-node"
    let listenText = try arguments.nonEmptyOption("listen")
    let bootstrapTexts = arguments.options("bootstrap")
    let shardText = try arguments.nonEmptyOption("shard")
    let format = arguments.option("log-format") ?? "text"
    let evaluationText = arguments.option("evaluate") ?? "coordinator"
    let faultText = try arguments.nonEmptyOption("fault")
    try arguments.finish()
    if let faultText {
      guard let fault = NodeRuntime.Fault(rawValue: faultText) else {
        throw UsageError(
          "--fault must be one of \(NodeRuntime.Fault.allCases.map(\.rawValue)), got '\(faultText)'"
        )
      }
      self.fault = fault
    } else {
      fault = nil
    }
    guard let evaluation = NodeRuntime.Evaluation(rawValue: evaluationText) else {
      throw UsageError("--evaluate must be coordinator, every or never, got '\(evaluationText)'")
    }
    self.evaluation = evaluation
    guard let logFormat = RuntimeLog.Format(rawValue: format) else {
      throw UsageError("--log-format must be text or json, got '\(format)'")
    }
    self.logFormat = logFormat
    configuration = train.configuration
    memoryBudget = train.memoryBudget
    let network = configuration.network
    if let text = listenText ?? network.listen {
      do { listen = try NetworkAddress(parsing: text) } catch {
        throw UsageError("--listen '\(text)': \(error)")
      }
    } else {
      listen = nil
    }
    var contacts: [Contact] = []
    for text in bootstrapTexts.isEmpty ? network.bootstrap : bootstrapTexts {
      do { contacts.append(try Contact(parsing: text)) } catch {
        throw UsageError("bootstrap contact '\(text)': \(error)")
      }
    }
    bootstrap = contacts
    let peers = max(configuration.data.peers, 1)
    if let shardText {
      let parts = shardText.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]),
        (1...DataConfiguration.peersRange.upperBound).contains(count), (0..<count).contains(index)
      else {
        throw UsageError("--shard must be I/N with 0 <= I < N, got '\(shardText)'")
      }
      shard = (index, count)
    } else {
      shard = (0, 1)
      if peers > 1 {
        throw UsageError(
          "data.peers is \(peers): say which shard this peer trains on with --shard I/\(peers)")
      }
    }
    if configuration.topology.mode == .fdfl && network.council.isEmpty {
      throw UsageError(
        "network.council is empty: an fdfl project names its founding council (peer IDs from "
          + "`starling keygen`) so that every peer agrees on it; see docs/protocol.md")
    }
    if listen == nil && bootstrap.isEmpty {
      throw UsageError(
        "this node neither listens (--listen) nor knows a peer to dial (--bootstrap): it could "
          + "never reach anyone")
    }
  }

  /// The contact this node wrote when it last listened.
  static func previousContact(in directory: String) -> Contact? {
    guard let bytes = try? RegularFile.contents(of: directory + "/contact", bytesMax: 1 << 12)
    else { return nil }
    return try? Contact(
      parsing: String(decoding: bytes, as: UTF8.self).trimmingCharacters(
        in: .whitespacesAndNewlines))
  }

  /// The project's ID: the BLAKE2b-256 hash of the configuration every peer agrees on.
  static func projectID(_ configuration: ProjectConfiguration) -> ProjectID {
    ProjectID(bytes: ContentHash.of(bytes: Array(configuration.identityJSON().utf8)).bytes)!
  }

  func run(output: Output) throws {
    Parallel.configure(threads: configuration.training.threadCount)
    let admission = configuration.security.admission
    let keyPair = try AdmissionSetup.keyPair(
      inDirectory: dataDirectory, proofOfWorkBits: admission.proofOfWorkBits, output: output)
    // Every listening node enforces the project's admission rules; bans come at run time.
    let admissionPolicy = AdmissionPolicy(rules: AdmissionSetup.rules(admission))
    let me = PeerID(publicKey: keyPair.publicKey)
    let projectID = Self.projectID(configuration)
    let log = RuntimeLog(format: logFormat, peer: me.description)
    try OutputError.write(
      configuration.resolvedJSON(), to: dataDirectory + "/config.json", for: "configuration copy")

    // This peer's shard of the configured partition, and the test set.
    let data = try TrainingSetup.loadData(
      configuration.data, seed: configuration.model.seed, memoryBudget: memoryBudget)
    let parts = try TrainingSetup.partitioning(configuration.data.partition).partition(
      labels: data.train.labels, classCount: data.train.classCount, peerCount: shard.count,
      seed: configuration.model.seed)
    let architecture = try TrainingSetup.architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    let model = architecture.makeModel(seed: configuration.model.seed)
    let initialModel = model.flattenedParameters()
    let optimizer = configuration.training.optimizer
    let shardTraining = ShardTraining(
      model: model, shards: [data.train.subset(parts[shard.index])], test: data.test,
      batchSize: configuration.training.batchSize, learningRate: Float(optimizer.learningRate),
      momentum: Float(optimizer.momentum), localSteps: configuration.training.localSteps,
      seed: configuration.model.seed ^ UInt64(shard.index))
    let training = ShardLocalTraining(training: shardTraining, hasTestSet: data.test.count > 0)

    // Capacity: a short training benchmark on this machine.
    let benchmarkSamples = 4 * training.batchSize
    let started = ProcessMetrics.now()
    _ = training.train(from: initialModel, samplesMax: benchmarkSamples)
    let samplesPerSecond = Float(
      Double(min(benchmarkSamples, max(training.samplesPerRound, 1)))
        / max(ProcessMetrics.now() - started, 1e-3))

    let founders = configuration.network.council.compactMap(PeerID.init(hexadecimal:))
    let council =
      configuration.topology.mode == .federated ? (founders.isEmpty ? [me] : founders) : founders
    let mode: TopologyMode = configuration.topology.mode == .federated ? .federated : .fdfl
    let population = max(configuration.data.peers, 1)
    var settings = try NodeSetup.settings(
      configuration, mode: mode, council: council, modelLength: initialModel.count,
      trainersPerRound: population, samplingRate: 1)
    settings.roundsMax = UInt64(configuration.training.rounds)
    // A real node signs every update and partial, and checks every one it receives.
    settings.signing = ContributionSigning(project: projectID.bytes, keyPair: keyPair)
    // ... and, in the council, recomputes each model its coordinator publishes before it
    // stores it.
    settings.councilChecksCoordinator = true
    // ... and deposes a coordinator under which no round opens or commits in time.
    settings.replacesStalledCoordinator = true
    settings.drawsSecretSeed = { SecureRandom.uint64() }
    if fault?.campaignsEarly == true {
      // The forger campaigns early, so that as a founder it wins the first election.
      settings.councilOptions.electionTimeoutMilliseconds = 400...500
    }

    let store = try NodeStore(directory: dataDirectory)
    let (durable, knownPeers) = try store.load(initialModel: initialModel)
    var known: [PeerID: Contact] = [:]
    for peer in knownPeers {
      if let contact = try? Contact(parsing: peer.address.text) { known[peer.peer] = contact }
    }
    let relay = TransportEventRelay()
    let transport: ZMQTransport
    // A restarted node listening on port 0 takes its previous port again when it is free, so
    // that the contact its peers hold stays right.
    if let listen, listen.port == 0, let previous = Self.previousContact(in: dataDirectory),
      previous.address.host == listen.host,
      let again = try? ZMQTransport(
        keyPair: keyPair, projectID: projectID,
        listenAddress: try NetworkAddress(parsing: previous.address.description),
        admission: admissionPolicy, eventHandler: { relay.forward($0) })
    {
      transport = again
    } else {
      transport = try ZMQTransport(
        keyPair: keyPair, projectID: projectID, listenAddress: listen,
        admission: admissionPolicy, eventHandler: { relay.forward($0) })
    }
    // SWIM records carry the contact, so that members learn where each other listens.
    let address = transport.contact?.description ?? "dials-out"
    settings.address = address.utf8.count <= PeerAddress.bytesMax ? PeerAddress(address) : nil
    let controller = NodeController(
      me: me, settings: settings, peers: council + [me], durable: durable,
      // Secret: the seed of this node's local and central noise, which no other peer may
      // predict (a seed made of its public ID and the configuration would let an aggregator
      // subtract a trainer's local noise).
      seed: SecureRandom.uint64())

    var runtimeOptions = NodeRuntime.Options()
    runtimeOptions.evaluation = evaluation
    runtimeOptions.fault = fault
    let runtime = NodeRuntime(
      controller: controller, transport: transport, store: store, training: training, log: log,
      projectID: projectID, bootstrap: bootstrap, knownContacts: known,
      samplesPerSecond: samplesPerSecond, options: runtimeOptions)
    relay.attach(runtime.transportEvent)
    output.line("peer \(me.hexadecimal)")
    output.line("project \(projectID.hexadecimal)")
    if let contact = transport.contact {
      try OutputError.write(
        contact.description + "\n", to: dataDirectory + "/contact", for: "contact file")
      output.line("contact \(contact)")
    }
    output.line(
      "capacity \(Int(samplesPerSecond)) samples/s; shard \(shard.index)/\(shard.count) of "
        + "\(training.samplesPerRound) samples per round; round \(durable.committedRound) in the store"
    )

    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    var sources: [any DispatchSourceSignal] = []
    for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler { runtime.requestStop(reason: "received \(name)") }
      source.resume()
      sources.append(source)
    }
    runtime.run()
    for source in sources { source.cancel() }
  }
}

/// Hands transport events to the runtime once it exists (the transport starts first).
final class TransportEventRelay: @unchecked Sendable {
  private let lock = NSLock()
  private var target: (@Sendable (TransportEvent) -> Void)?
  private var early: [TransportEvent] = []

  func forward(_ event: TransportEvent) {
    lock.lock()
    guard let target else {
      early.append(event)
      lock.unlock()
      return
    }
    lock.unlock()
    target(event)
  }

  func attach(_ handler: @escaping @Sendable (TransportEvent) -> Void) {
    lock.lock()
    target = handler
    let pending = early
    early = []
    lock.unlock()
    for event in pending { handler(event) }
  }
}
