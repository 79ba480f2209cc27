import Foundation

/// One line per event on standard error: readable text on a terminal, or JSON lines
/// (`--log-format json`) with `time` (Unix milliseconds), `event` and the event's fields.
public struct RuntimeLog: Sendable {
  public enum Format: String, Sendable, CaseIterable {
    case text
    case json
  }

  public let format: Format
  public let peer: String

  public init(format: Format, peer: String) {
    self.format = format
    self.peer = peer
  }

  /// Writes one event; `fields` hold strings, numbers, booleans or arrays of them.
  public func event(_ name: String, _ message: String, _ fields: [String: Any] = [:]) {
    let now = Date().timeIntervalSince1970
    let line: String
    switch format {
    case .text:
      line = "\(Self.clock(now)) \(peer) \(name): \(message)"
    case .json:
      var object = fields
      object["time"] = UInt64(now * 1000)
      object["event"] = name
      object["peer"] = peer
      object["message"] = message
      let data =
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        ?? Data("{\"event\":\"\(name)\"}".utf8)
      line = String(decoding: data, as: UTF8.self)
    }
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }

  private static func clock(_ seconds: Double) -> String {
    let total = Int(seconds)
    let milliseconds = Int((seconds - Double(total)) * 1000)
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let day = total % 86_400
    let fraction = String(milliseconds + 1000).dropFirst()
    return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60)).\(fraction)"
  }
}
