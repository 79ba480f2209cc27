import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Peers on separate hosts: each `starling node` in its own network namespace, joined by veth
/// pairs to a bridge in a namespace of the test's own. The coordinator's namespace is cut off
/// and restored: the majority elects another coordinator and commits on, the isolated one
/// commits nothing, and after the heal it catches up with the same history. Skips where
/// namespaces are not permitted (not root, no `ip`).
@Suite(.serialized) struct NetworkNamespaceTests {
  static let configuration = """
    {"extends": "fmnist-mlp", "project": {"name": "netns-test"},
     "data": {"trainLimit": 2000, "testLimit": 300, "peers": 4,
              "partition": {"kind": "dirichlet", "alpha": 0.5}},
     "topology": {"mode": "fdfl", "council": 3, "aggregators": 2, "roundDeadlineSeconds": 5,
                  "replaceCouncilMembers": false},
     "training": {"rounds": 100000, "batchSize": 64}}
    """

  /// Runs a shell command; its status and standard output.
  @discardableResult
  static func shell(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return (-1, "") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  static func isPermitted(_ name: String) -> Bool {
    guard getuid() == 0, shell("command -v ip").status == 0 else { return false }
    guard shell("ip netns add \(name)-probe").status == 0 else { return false }
    shell("ip netns del \(name)-probe")
    return true
  }

  @Test func aPartitionedCoordinatorIsReplacedAndCatchesUpAfterTheHeal() throws {
    let prefix = "stl\(getpid() % 100_000)"
    guard Self.isPermitted(prefix) else {
      print(
        "NetworkNamespaceTests: skipped: network namespaces are not permitted here (root and iproute2's `ip netns` are needed)"
      )
      return
    }
    let binary = try StarlingProcess.binaryPath()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-netns-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let names = ["a", "b", "c", "d"]
    var processes: [Process] = []
    defer {
      for process in processes where process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
      }
      for name in names + ["hub"] { Self.shell("ip netns del \(prefix)-\(name) 2>/dev/null") }
      try? FileManager.default.removeItem(atPath: directory)
    }
    // A bridge in a namespace of our own, and one namespace per peer on it.
    #expect(Self.shell("ip netns add \(prefix)-hub").status == 0)
    Self.shell(
      "ip -n \(prefix)-hub link add br0 type bridge && ip -n \(prefix)-hub link set br0 up")
    for (position, name) in names.enumerated() {
      let namespace = "\(prefix)-\(name)"
      let setup = Self.shell(
        """
        ip netns add \(namespace) && \
        ip link add v\(name) netns \(namespace) type veth peer name h\(name) netns \(prefix)-hub && \
        ip -n \(namespace) addr add 10.201.0.\(position + 1)/24 dev v\(name) && \
        ip -n \(namespace) link set v\(name) up && ip -n \(namespace) link set lo up && \
        ip -n \(prefix)-hub link set h\(name) master br0 && ip -n \(prefix)-hub link set h\(name) up
        """)
      try #require(setup.status == 0, "namespace \(namespace) could not be set up")
    }
    // Identities, and the founding council a, b, c.
    var peerIDs: [String] = []
    for name in names {
      let output = Self.shell("\(binary) keygen --out \(directory)/\(name)/ --json").output
      let last = output.split(separator: "\n").last.map(String.init) ?? ""
      let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
      peerIDs.append(try #require(object?["peerID"] as? String))
    }
    let council = peerIDs.prefix(3).map { "\"\($0)\"" }.joined(separator: ",")
    let text = Self.configuration.replacingOccurrences(
      of: "\"training\":", with: "\"network\": {\"council\": [\(council)]}, \"training\":")
    try text.write(toFile: directory + "/project.json", atomically: true, encoding: .utf8)

    func start(_ position: Int, bootstrap: String?) throws {
      let name = names[position]
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
      process.arguments =
        [
          "netns", "exec", "\(prefix)-\(name)", binary, "node", "--config",
          directory + "/project.json", "--data-dir", "\(directory)/\(name)", "--listen",
          "10.201.0.\(position + 1):7400", "--shard", "\(position)/4", "--log-format", "json",
        ] + (bootstrap.map { ["--bootstrap", $0] } ?? [])
      var environment = ProcessInfo.processInfo.environment
      environment["OPENBLAS_NUM_THREADS"] = "1"
      process.environment = environment
      FileManager.default.createFile(atPath: "\(directory)/\(name)/node.log", contents: nil)
      process.standardError = try FileHandle(
        forWritingTo: URL(fileURLWithPath: "\(directory)/\(name)/node.log"))
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      processes.append(process)
    }
    func contact(_ name: String) -> String? {
      (try? String(contentsOfFile: "\(directory)/\(name)/contact", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }
    func status(_ position: Int) -> [String: Any]? {
      let name = names[position]
      let output = Self.shell(
        "ip netns exec \(prefix)-\(name) \(binary) status --data-dir \(directory)/\(name) --timeout 2 --json"
      ).output
      let last = output.split(separator: "\n").last.map(String.init) ?? ""
      return try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    }
    func round(_ position: Int) -> Int { (status(position)?["round"] as? NSNumber)?.intValue ?? -1 }
    func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
      let deadline = Date().addingTimeInterval(seconds)
      while Date() < deadline {
        if condition() { return true }
        usleep(250_000)
      }
      return false
    }

    try start(0, bootstrap: nil)
    #expect(waitUntil(seconds: 60) { contact("a") != nil })
    let first = try #require(contact("a"))
    for position in 1..<4 { try start(position, bootstrap: first) }
    #expect(waitUntil(seconds: 90) { round(0) >= 3 }, "no round committed across namespaces")

    // Cut the coordinator's namespace off the bridge.
    let coordinatorID = try #require(status(0)?["coordinator"] as? String)
    let isolated = try #require(peerIDs.firstIndex(of: coordinatorID))
    #expect(isolated < 3)
    let majority = (0..<3).filter { $0 != isolated }
    Self.shell("ip -n \(prefix)-hub link set h\(names[isolated]) down")
    let roundAtCut = round(majority[0])
    #expect(
      waitUntil(seconds: 60) {
        (status(majority[0])?["coordinator"] as? String).map { $0 != coordinatorID } ?? false
          && round(majority[0]) > roundAtCut + 2
      }, "the majority side did not elect a new coordinator and commit")
    let isolatedRound = round(isolated)
    #expect(isolatedRound <= roundAtCut + 1, "the isolated coordinator committed alone")

    // Heal: the old coordinator steps down and catches up.
    Self.shell("ip -n \(prefix)-hub link set h\(names[isolated]) up")
    let roundAtHeal = round(majority[0])
    #expect(
      waitUntil(seconds: 60) { round(isolated) >= roundAtHeal },
      "the healed peer did not catch up (at \(round(isolated)), majority at \(roundAtHeal))")

    print(
      "NetworkNamespaceTests: cut peer \(isolated) (the coordinator) at round \(roundAtCut); it "
        + "stayed at \(isolatedRound); the majority elected "
        + "\(String(describing: (status(majority[0])?["coordinator"] as? String)?.prefix(8))) "
        + "and was at \(roundAtHeal) at the heal; the healed peer is at \(round(isolated))")
    // Every pair agrees on every round both committed.
    var histories: [[Int: String]] = []
    for name in names {
      let text =
        (try? String(contentsOfFile: "\(directory)/\(name)/node.log", encoding: .utf8)) ?? ""
      var history: [Int: String] = [:]
      for line in text.split(separator: "\n") where line.contains("\"event\":\"committed\"") {
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let round = (object["round"] as? NSNumber)?.intValue,
          let model = object["model"] as? String
        {
          history[round] = model
        }
      }
      histories.append(history)
    }
    for first in histories.indices {
      for second in histories.indices where second > first {
        for (round, model) in histories[first] {
          if let other = histories[second][round] {
            #expect(other == model, "peers \(first) and \(second) disagree on round \(round)")
          }
        }
      }
    }
    for process in processes where process.isRunning { kill(process.processIdentifier, SIGTERM) }
    #expect(waitUntil(seconds: 15) { processes.allSatisfy { !$0.isRunning } })
  }
}
