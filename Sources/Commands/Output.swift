import Foundation

/// Where a command writes: human-readable lines, and for `--json` one JSON object as the last
/// line of standard output.
public final class Output: @unchecked Sendable {
  // Written from one thread at a time (commands run sequentially); the lock guards `lines`.
  private let lock = NSLock()
  private var captured: [String]?
  /// Whether standard output is a terminal (progress bars redraw in place only then).
  public let isTerminal: Bool

  /// Writes to the process's standard output.
  public static func standard() -> Output { Output(capturing: false, isTerminal: isatty(1) == 1) }

  /// Keeps every line in memory (for tests).
  public static func capturing() -> Output { Output(capturing: true, isTerminal: false) }

  private init(capturing: Bool, isTerminal: Bool) {
    captured = capturing ? [] : nil
    self.isTerminal = isTerminal
  }

  /// The lines written so far (capturing outputs only).
  public var lines: [String] { lock.withLock { captured ?? [] } }

  /// Writes one line.
  public func line(_ text: String) {
    lock.withLock {
      if captured != nil {
        captured!.append(text)
      } else {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
      }
    }
  }

  /// Redraws the current terminal line (no newline); plain outputs ignore it.
  public func redraw(_ text: String) {
    guard isTerminal, captured == nil else { return }
    FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + text).utf8))
  }

  /// Ends a line started by `redraw`.
  public func endRedraw() {
    guard isTerminal, captured == nil else { return }
    FileHandle.standardOutput.write(Data("\n".utf8))
  }

  /// Writes `object` as one line of JSON with sorted keys.
  ///
  /// JSON has no NaN or infinity: such numbers are written as `null` (and listed under
  /// `"nonFiniteFields"`), so no figure can make the writer trap. An object that still cannot be
  /// serialised gives an `"error"` object instead of a crash.
  public func json(_ object: [String: Any]) {
    var nonFinite: [String] = []
    var sanitized = Self.sanitized(object, path: "", nonFinite: &nonFinite) as! [String: Any]
    if !nonFinite.isEmpty { sanitized["nonFiniteFields"] = nonFinite.sorted() }
    guard JSONSerialization.isValidJSONObject(sanitized),
      let data = try? JSONSerialization.data(withJSONObject: sanitized, options: [.sortedKeys])
    else {
      line(#"{"error":"the result could not be written as JSON"}"#)
      return
    }
    line(String(decoding: data, as: UTF8.self))
  }

  /// `value` with every non-finite number replaced by `NSNull`; `nonFinite` collects their paths.
  static func sanitized(_ value: Any, path: String, nonFinite: inout [String]) -> Any {
    switch value {
    case let dictionary as [String: Any]:
      var result: [String: Any] = [:]
      for (key, element) in dictionary {
        result[key] = sanitized(
          element, path: path.isEmpty ? key : path + "." + key, nonFinite: &nonFinite)
      }
      return result
    case let array as [Any]:
      return array.enumerated().map {
        sanitized($0.element, path: "\(path)[\($0.offset)]", nonFinite: &nonFinite)
      }
    case let number as Double where !number.isFinite:
      nonFinite.append(path)
      return NSNull()
    case let number as Float where !number.isFinite:
      nonFinite.append(path)
      return NSNull()
    default:
      return value
    }
  }

  /// Writes an error message to standard error.
  public func error(_ text: String) {
    if captured != nil {
      lock.withLock { captured!.append("error: " + text) }
    } else {
      FileHandle.standardError.write(Data(("error: " + text + "\n").utf8))
    }
  }
}
