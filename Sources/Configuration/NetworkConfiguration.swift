/// The `network` section: where a node listens, whom it dials first, and the founding council.
///
/// Every peer of a project reads the same file, so the founding council is agreed before any
/// peer starts: it is the initial configuration of the council's Raft group (etcd's
/// `--initial-cluster`), and it is part of the project's identity. The listen address and the
/// bootstrap contacts are each machine's own business: a node may override them on its command
/// line, and they are left out of the project ID.
public struct NetworkConfiguration: Sendable, Equatable {
  /// Where this node accepts peers (`0.0.0.0:7400`, `127.0.0.1:0`); nil: it only dials out (a
  /// trainer behind a NAT).
  public let listen: String?
  /// Contacts (`KEY@host:port`) dialed at start to find the project's peers.
  public let bootstrap: [String]
  /// The founding council (fdfl): peer IDs, 64 hexadecimal digits each (`starling keygen`
  /// prints them). Empty: the node refuses to start in fdfl (simulations need none).
  public let council: [String]

  static let bootstrapCountMax = 256
  static let councilCountMax = 101
  static let peerIDHexadecimalDigits = 64
  static let fieldNames = ["listen", "bootstrap", "council"]
  /// Fields local to one machine, left out of the project's identity.
  public static let machineLocalFields = ["listen", "bootstrap"]
}

extension NetworkConfiguration: ConfigurationSection {
  static let key = "network"

  init(reading value: JSONValue?, earlier: ProjectConfiguration) throws(ConfigurationError) {
    let fields = try FieldReader(value, path: Self.key, knownFields: Self.fieldNames)
    listen = try fields.optionalString("listen", bytes: 1...300)
    bootstrap = try fields.list("bootstrap", default: [], countMax: Self.bootstrapCountMax) {
      (reader, key) throws(ConfigurationError) in
      let text = try reader.string(key, default: "", bytes: 1...300)
      guard text.contains("@") else {
        throw .invalidCombination(
          path: reader.path(of: key),
          reason: "'\(text)' is not a contact: write KEY@host:port (the key a node prints when it "
            + "starts listening, also in its DATA_DIR/contact)")
      }
      return text
    }
    council = try fields.list("council", default: [], countMax: Self.councilCountMax) {
      (reader, key) throws(ConfigurationError) in
      let text = try reader.string(key, default: "", bytes: 1...100).lowercased()
      guard text.utf8.count == Self.peerIDHexadecimalDigits,
        text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
      else {
        throw .invalidCombination(
          path: reader.path(of: key),
          reason: "'\(text)' is not a peer ID: 64 hexadecimal digits, as `starling keygen` prints")
      }
      return text
    }
    if Set(council).count != council.count {
      throw .invalidCombination(
        path: fields.path(of: "council"), reason: "a peer appears twice in the founding council")
    }
  }

  var jsonValue: JSONValue {
    // Empty lists are left out: a list, when given, holds at least one element.
    var members: [String: JSONValue] = [:]
    if !bootstrap.isEmpty { members["bootstrap"] = .array(bootstrap.map(JSONValue.string)) }
    if !council.isEmpty { members["council"] = .array(council.map(JSONValue.string)) }
    if let listen { members["listen"] = .string(listen) }
    return .object(members)
  }
}

extension ProjectConfiguration {
  /// The `network` section.
  public var network: NetworkConfiguration { section(NetworkConfiguration.self) }
}
