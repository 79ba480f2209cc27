import Foundation
import Identity
import Node
import Transport
import Wire

extension NodeRuntime {
  /// The status this node reports (`starling status --json`): one JSON object.
  /// The most members a status reply lists (`memberCount` says how many there are): about
  /// 300 bytes each, well inside `RuntimeFrame.statusJSONBytesMax`.
  static let statusMembersMax = 1_000

  func statusJSON() -> String {
    let status = controller.status
    func address(_ peer: PeerID) -> Any {
      if peer == me { return transport.contact?.description ?? NSNull() }
      return contacts[peer]?.description ?? NSNull()
    }
    // Bounded, so that the reply always fits its frame however many peers joined.
    let members: [[String: Any]] = status.members.prefix(Self.statusMembersMax).map { member in
      [
        "id": member.peer.hexadecimal, "name": member.peer.description,
        "address": address(member.peer), "role": member.role.rawValue,
        "alive": member.isAlive.map { $0 as Any }
          ?? (member.peer == me || connected.contains(member.peer)),
      ]
    }
    let object: [String: Any] = [
      "project": projectID.hexadecimal,
      "peer": me.hexadecimal, "role": status.role.rawValue,
      "term": status.term.map { $0 as Any } ?? NSNull(),
      "round": status.committedRound,
      "coordinator": status.coordinator.map { $0.hexadecimal as Any } ?? NSNull(),
      "coordinatorAddress": status.coordinator.map(address) ?? NSNull(),
      "aggregators": status.aggregators.map(\.hexadecimal),
      "members": members, "memberCount": status.members.count,
      "accuracy": status.lastAccuracy.map { $0 as Any } ?? NSNull(),
      "epsilon": status.epsilonSpent.map { $0 as Any } ?? NSNull(),
      "model": controller.modelDigest.contentHash.hexadecimal,
      "connectedPeers": connected.count,
      "messagesSent": messagesSent, "bytesSent": bytesSent,
      "admission": Self.admissionJSON(transport.statistics.snapshot),
    ]
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
      ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}

extension NodeRuntime {
  /// The transport's admission counters, since the node started.
  static func admissionJSON(_ counters: TransportStatistics.Snapshot) -> [String: Int] {
    [
      "admittedConnections": counters.admittedConnections,
      "admitted": counters.admittedAdmissions, "refused": counters.refusedAdmissions,
      "shutDownAtAccept": counters.shutDownAtAccept,
      "blockedAddresses": counters.blockedAddresses, "addressBlocks": counters.addressBlocks,
      "rateLimitedMessages": counters.rateLimitedMessages,
      "bannedMessagesDropped": counters.bannedMessagesDropped,
    ]
  }
}

extension PeerID {
  /// The peer whose ID is `text`, 64 hexadecimal digits (as `hexadecimal` writes it).
  public init?(hexadecimal text: String) {
    guard text.utf8.count == 64, let decoded = Identity.bytes(fromHexadecimal: text),
      let hash = ContentHash(bytes: decoded)
    else { return nil }
    self.init(publicKeyHash: hash)
  }
}
