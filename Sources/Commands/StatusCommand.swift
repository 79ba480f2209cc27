import Configuration
import Foundation
import Identity
import NodeRuntime
import Platform
import Transport
import Wire

/// `starling status`: asks a running node for its view of the project.
struct StatusCommand {
  static let usage = """
    usage: starling status [--peer CONTACT] [--config FILE | --project ID] [--data-dir DIR]
                           [--timeout SECONDS] [--pow-bits N] [--json]
    Connects to the node at CONTACT (KEY@host:port) with a fresh, throw-away identity, says a
    hello for the project (its ID is the hash of FILE's configuration, or given as 64 hex
    digits), and prints the node's answer: term, last committed round, coordinator, aggregators,
    members, accuracy and epsilon. --data-dir DIR reads a local node's contact and configuration
    from DIR. Without --config, --project and --data-dir, the project is the one of the node
    in ./starling-node (the default data directory of `starling node`), when there is one:
    every hello names its project, and a node answers no one who cannot. With --json, the last
    line is the node's status as one JSON object. When the project asks for proof of work
    (security.admission.proofOfWorkBits, or --pow-bits N with --project), the throw-away
    identity is ground to it first (about 2^N tries).
    """

  /// Where `starling node` keeps its state when not told otherwise.
  static let defaultDataDirectory = "starling-node"

  let contact: Contact
  let projectID: ProjectID
  let timeoutSeconds: Double
  let isJSON: Bool
  /// The proof of work the project's listeners ask of the query's key (its configuration's
  /// `security.admission.proofOfWorkBits`; `--pow-bits` with `--project`).
  let proofOfWorkBits: Int

  init(arguments raw: [String]) throws {
    var arguments = try Arguments(raw, booleanFlags: ["json"])
    isJSON = arguments.flag("json")
    let peer = try arguments.nonEmptyOption("peer")
    let configPath = try arguments.nonEmptyOption("config")
    let project = try arguments.nonEmptyOption("project")
    let dataDirectoryOption = try arguments.nonEmptyOption("data-dir")
    timeoutSeconds = try arguments.number("timeout", in: 0.1...600) ?? 10
    let bitsText = try arguments.nonEmptyOption("pow-bits")
    try arguments.finish()
    var bits = 0
    if let bitsText {
      guard let parsed = Int(bitsText), (0...ProofOfWork.bitsMax).contains(parsed) else {
        throw UsageError("--pow-bits must be an integer from 0 to \(ProofOfWork.bitsMax)")
      }
      bits = parsed
    }
    var contactText = peer
    var configuration = configPath
    var dataDirectory = dataDirectoryOption
    if dataDirectory == nil, configPath == nil, project == nil,
      FileManager.default.fileExists(atPath: Self.defaultDataDirectory + "/config.json")
    {
      dataDirectory = Self.defaultDataDirectory
    }
    if let dataDirectory {
      if contactText == nil {
        let file = try RegularFile.contents(of: dataDirectory + "/contact", bytesMax: 1 << 12)
        contactText = String(decoding: file, as: UTF8.self).trimmingCharacters(
          in: .whitespacesAndNewlines)
      }
      if configuration == nil && project == nil { configuration = dataDirectory + "/config.json" }
    }
    guard let contactText else {
      throw UsageError("give --peer CONTACT (or --data-dir DIR of a local node)\n\(Self.usage)")
    }
    do { contact = try Contact(parsing: contactText) } catch {
      throw UsageError("--peer '\(contactText)': \(error)")
    }
    switch (configuration, project) {
    case (let path?, nil):
      let loaded = try ProjectConfiguration.load(path: path)
      projectID = NodeCommand.projectID(loaded)
      bits = max(bits, loaded.security.admission.proofOfWorkBits)
    case (nil, let hex?):
      guard let bytes = Identity.bytes(fromHexadecimal: hex), let parsed = ProjectID(bytes: bytes)
      else { throw UsageError("--project must be 64 hexadecimal digits, got '\(hex)'") }
      projectID = parsed
    case (nil, nil):
      throw UsageError(
        "give --config FILE or --project ID (or run where ./\(Self.defaultDataDirectory) holds a "
          + "node's config.json): every hello names the project, and a node answers no one who "
          + "cannot")
    case (_?, _?):
      throw UsageError("give either --config or --project, not both")
    }
    proofOfWorkBits = bits
  }

  /// Asks the node; the parsed JSON of its reply.
  static func query(
    contact: Contact, projectID: ProjectID, timeoutSeconds: Double,
    keyPair: SigningKeyPair = .generate()
  ) throws -> [String: Any] {
    let transport = try ZMQTransport(
      keyPair: keyPair, projectID: projectID, eventHandler: { _ in })
    defer { transport.close() }
    let box = ReplyBox()
    let finished = DispatchSemaphore(value: 0)
    let request = UInt64.random(in: 1...UInt64.max)
    Task.detached {
      do {
        let peer = try await transport.connect(to: contact)
        try transport.send(RuntimeFrame.statusRequest(request: request).wireBytes, to: peer)
        for await message in transport.incoming where message.sender == peer {
          if case .statusReply(request, let json)? = try? RuntimeFrame(
            wireBytes: message.bytes[...])
          {
            box.set(.success(json))
            break
          }
        }
      } catch {
        box.set(.failure(error))
      }
      finished.signal()
    }
    guard finished.wait(timeout: .now() + timeoutSeconds) == .success, let result = box.result
    else {
      throw StatusError.noAnswer(contact: contact.description, seconds: timeoutSeconds)
    }
    let json = try result.get()
    guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    else { throw StatusError.malformedReply }
    return object
  }

  func run(output: Output) throws -> [String: Any] {
    let status = try Self.query(
      contact: contact, projectID: projectID, timeoutSeconds: timeoutSeconds,
      keyPair: AdmissionSetup.queryKeyPair(proofOfWorkBits: proofOfWorkBits))
    if !isJSON {
      func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: return "-"
        case let value?: return "\(value)"
        }
      }
      let members = status["members"] as? [[String: Any]] ?? []
      output.line("project      \(text(status["project"]))")
      output.line("peer         \(text(status["peer"])) (\(text(status["role"])))")
      output.line("term         \(text(status["term"]))")
      output.line("round        \(text(status["round"]))")
      output.line(
        "coordinator  \(text(status["coordinator"])) at \(text(status["coordinatorAddress"]))")
      output.line(
        "aggregators  \((status["aggregators"] as? [String] ?? []).joined(separator: ", "))")
      output.line("accuracy     \(text(status["accuracy"]))")
      output.line("epsilon      \(text(status["epsilon"]))")
      output.line("members      \(members.count)")
      for member in members {
        output.line(
          "  \(text(member["name"]))  \(text(member["role"]))  alive \((member["alive"] as? Bool).map { $0 ? "yes" : "no" } ?? "-")  "
            + text(member["address"]))
      }
    }
    var result = status
    result["command"] = "status"
    return result
  }
}

/// Why `status` has nothing to print.
enum StatusError: Error, CustomStringConvertible {
  case noAnswer(contact: String, seconds: Double)
  case malformedReply

  var description: String {
    switch self {
    case .noAnswer(let contact, let seconds):
      "no status from \(contact) within \(seconds) s: is the node running, and is this its project?"
    case .malformedReply: "the node's status reply is not a JSON object"
    }
  }
}

final class ReplyBox: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Result<String, any Error>?
  var result: Result<String, any Error>? {
    lock.lock()
    defer { lock.unlock() }
    return stored
  }
  func set(_ value: Result<String, any Error>) {
    lock.lock()
    if stored == nil { stored = value }
    lock.unlock()
  }
}
