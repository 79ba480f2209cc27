import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A client written in Python from docs/protocol.md alone (`Tests/Interop/status_client.py`:
/// pyzmq's CURVE, PyNaCl's Ed25519, hashlib's BLAKE2b) asks a real `starling node` for its
/// status: the wire specification is implementable outside Swift.
@Suite(.serialized) struct InteropTests {
  /// How long the node may take to write its contact.
  static let startSecondsMax = 60.0
  /// How long the client may take, both connections included.
  static let clientSecondsMax = 20.0
  /// How long the node may take to exit after SIGTERM.
  static let stopSecondsMax = 10.0

  static let clientScript = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Interop/status_client.py").path

  /// `$STARLING_PYTHON` when it is set and can import the client's modules (`make test` sets it
  /// to the venv that `make python-deps` fills).
  static let python: String? = {
    guard let python = ProcessInfo.processInfo.environment["STARLING_PYTHON"] else { return nil }
    let result = try? StarlingProcess.run(
      executable: python, ["-c", "import zmq, nacl.signing, nacl.bindings"], secondsMax: 20)
    return result?.status == 0 ? python : nil
  }()

  @Test(
    .enabled(
      if: python != nil,
      "set STARLING_PYTHON to a python with pyzmq and pynacl (make python-deps; make test sets it)"
    ))
  func pythonClientReadsTheStatusOfARealNode() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "starling-interop-\(UUID().uuidString)"
    ).path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let nodeDirectory = directory + "/node"
    let binary = try StarlingProcess.binaryPath()

    // A council of one: the node is the whole founding council of its fdfl project.
    let keygen = try StarlingProcess.run(
      executable: binary, ["keygen", "--out", nodeDirectory + "/", "--json"])
    #expect(keygen.status == 0, Comment(rawValue: keygen.standardError))
    let key = try #require(
      try JSONSerialization.jsonObject(with: Data(keygen.standardOutput.utf8)) as? [String: Any])
    let peerID = try #require(key["peerID"] as? String)
    try """
    {"extends": "fmnist-mlp", "project": {"name": "interop-test"},
     "data": {"trainLimit": 500, "testLimit": 200},
     "topology": {"mode": "fdfl"}, "network": {"council": ["\(peerID)"]}}
    """.write(toFile: directory + "/project.json", atomically: true, encoding: .utf8)

    let node = try Self.startNode(
      binary,
      [
        "node", "--config", directory + "/project.json", "--data-dir", nodeDirectory,
        "--listen", "127.0.0.1:0",
      ], logs: directory)
    defer {
      if node.isRunning { kill(node.processIdentifier, SIGKILL) }
    }
    let (contact, projectID) = try Self.waitForContact(
      of: node, in: nodeDirectory, output: directory + "/node.out")
    let log = { Comment(rawValue: Self.contents(directory + "/node.err")) }

    // Options before `--`: a contact's Z85 key may begin with '-', which argparse would take for
    // an option.
    let client = try StarlingProcess.run(
      executable: try #require(Self.python),
      [Self.clientScript, "--timeout", "10", "--check-wrong-project", "--", contact, projectID],
      secondsMax: Self.clientSecondsMax)
    let clientComment = Comment(
      rawValue: "status \(client.status)\nstdout: \(client.standardOutput)\nstderr: "
        + client.standardError)
    try #require(client.status == 0, clientComment)
    #expect(client.standardOutput.contains("wrong project refused with code 4"), clientComment)
    let last = client.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    let status = try #require(
      try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any], clientComment)
    #expect(status["project"] as? String == projectID, clientComment)
    #expect(status["peer"] as? String == peerID, clientComment)
    #expect(status["round"] as? Int != nil, clientComment)
    #expect(status.keys.contains("term"), clientComment)
    let members = try #require(status["members"] as? [[String: Any]], clientComment)
    #expect(members.count == 1, clientComment)
    #expect(members.first?["id"] as? String == peerID, clientComment)

    // `starling status --peer CONTACT --json` with nothing else, where ./starling-node holds a
    // node's configuration (the default data directory): the hello names that project.
    try FileManager.default.createDirectory(
      atPath: directory + "/starling-node", withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      atPath: nodeDirectory + "/config.json", toPath: directory + "/starling-node/config.json")
    let swiftClient = try StarlingProcess.run(
      ["status", "--peer", contact, "--json"], in: directory, secondsMax: 60)
    let swiftComment = Comment(rawValue: swiftClient.summary)
    #expect(swiftClient.status == 0, swiftComment)
    let swiftLast = swiftClient.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
    let swiftStatus = try #require(
      try JSONSerialization.jsonObject(with: Data(swiftLast.utf8)) as? [String: Any], swiftComment)
    for key in [
      "project", "term", "round", "coordinator", "coordinatorAddress", "aggregators", "members",
      "accuracy", "epsilon",
    ] {
      #expect(swiftStatus.keys.contains(key), "status lacks \(key): \(swiftLast)")
    }
    #expect(swiftStatus["project"] as? String == projectID, swiftComment)
    // The admission counters: this node has no admission rules, so it refuses nobody.
    let admission = try #require(swiftStatus["admission"] as? [String: Int], swiftComment)
    #expect(admission["refused"] == 0 && admission["shutDownAtAccept"] == 0, swiftComment)
    #expect((admission["admitted"] ?? 0) >= 1, swiftComment)

    kill(node.processIdentifier, SIGTERM)
    let deadline = Date().addingTimeInterval(Self.stopSecondsMax)
    while node.isRunning && Date() < deadline { usleep(20_000) }
    #expect(!node.isRunning, "the node did not exit within \(Self.stopSecondsMax) s of SIGTERM")
    if !node.isRunning {
      #expect(node.terminationReason == .exit, log())
      #expect(node.terminationStatus == 0, log())
    }
  }

  /// `starling node ...` in the background, its output in `logs`/node.out and node.err.
  static func startNode(_ binary: String, _ arguments: [String], logs: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_NUM_THREADS"] = "1"
    environment["XDG_CACHE_HOME"] = logs + "/.cache"
    process.environment = environment
    for name in ["node.out", "node.err"] {
      FileManager.default.createFile(atPath: logs + "/" + name, contents: nil)
    }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: logs + "/node.out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logs + "/node.err"))
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// The node's contact (DIR/contact) and project ID (its `project <hex>` line), once both exist.
  static func waitForContact(
    of node: Process, in directory: String, output: String
  ) throws -> (contact: String, projectID: String) {
    let deadline = Date().addingTimeInterval(startSecondsMax)
    while Date() < deadline && node.isRunning {
      let contact = contents(directory + "/contact").trimmingCharacters(
        in: .whitespacesAndNewlines)
      let project = contents(output).split(separator: "\n")
        .first { $0.hasPrefix("project ") }?.dropFirst("project ".count)
      if !contact.isEmpty, let project { return (contact, String(project)) }
      usleep(100_000)
    }
    throw InteropError.nodeDidNotStart(
      seconds: startSecondsMax, log: contents(directory + "/../node.err"))
  }

  static func contents(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
  }

}

enum InteropError: Error, CustomStringConvertible {
  case nodeDidNotStart(seconds: Double, log: String)

  var description: String {
    switch self {
    case .nodeDidNotStart(let seconds, let log):
      "the node wrote no contact within \(seconds) s; its log:\n\(log)"
    }
  }
}
