/// A strict JSON (RFC 8259) parser with bounds, for configuration files and override values.
///
/// Foundation's `JSONSerialization` would do the parsing, but it turns numbers into `NSNumber`
/// (where `true` and `1` are hard to tell apart and 64-bit seeds lose precision), keeps the last of
/// two duplicate keys silently, and reports errors without a line number. This parser keeps number
/// literals as text, rejects duplicate keys, reports `line L, column C`, and bounds nesting depth
/// so a hostile file cannot exhaust the stack.
struct JSONParser {
  /// Deepest nesting of arrays and objects accepted.
  static let nestingDepthMax = 32

  private let bytes: [UInt8]
  private var offset = 0
  private var depth = 0

  private init(_ text: String) { bytes = Array(text.utf8) }

  /// Parses one JSON document that fills `text` (surrounding whitespace allowed).
  ///
  /// - Throws: a message with the line and column of the first error.
  /// - Complexity: O(n) in the length of `text`.
  static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(text)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    guard parser.offset == parser.bytes.count else {
      throw parser.error("unexpected content after the end of the document")
    }
    return value
  }

  private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try parseLiteral("true", meaning: .bool(true))
    case UInt8(ascii: "f"): return try parseLiteral("false", meaning: .bool(false))
    case UInt8(ascii: "n"): return try parseLiteral("null", meaning: .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default: throw error("unexpected character \(Self.show(byte)), expected a value")
    }
  }

  private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    try enterNesting()
    offset += 1
    var members: [String: JSONValue] = [:]
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      offset += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let keyOffset = offset
      let key = try parseString()
      guard members[key] == nil else {
        offset = keyOffset
        throw error("duplicate key \"\(key)\"")
      }
      skipWhitespace()
      try expect(UInt8(ascii: ":"), "expected ':' after a key")
      skipWhitespace()
      members[key] = try parseValue()
      skipWhitespace()
      if try endOfContainer(closing: UInt8(ascii: "}")) { break }
    }
    depth -= 1
    return .object(members)
  }

  private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    try enterNesting()
    offset += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      offset += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      if try endOfContainer(closing: UInt8(ascii: "]")) { break }
    }
    depth -= 1
    return .array(elements)
  }

  /// Consumes the `,` between members (returning false) or the closing bracket (returning true).
  private mutating func endOfContainer(closing: UInt8) throws(JSONSyntaxError) -> Bool {
    switch peek() {
    case UInt8(ascii: ","): offset += 1; return false
    case closing: offset += 1; return true
    default: throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
    }
  }

  private mutating func enterNesting() throws(JSONSyntaxError) {
    depth += 1
    guard depth <= Self.nestingDepthMax else {
      throw error("nesting deeper than \(Self.nestingDepthMax) levels")
    }
  }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    offset += 1
    var scalars = String.UnicodeScalarView()
    var runStart = offset
    func flushRun(upTo end: Int) {
      scalars.append(
        contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
    }
    while let byte = peek() {
      switch byte {
      case UInt8(ascii: "\""):
        flushRun(upTo: offset)
        offset += 1
        return String(scalars)
      case UInt8(ascii: "\\"):
        flushRun(upTo: offset)
        offset += 1
        scalars.append(try parseEscape())
        runStart = offset
      case 0..<0x20:
        throw error("control character \(Self.show(byte)) in a string (escape it)")
      default:
        offset += 1
      }
    }
    throw error("unterminated string")
  }

  private mutating func parseEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
    guard let byte = peek() else { throw error("unterminated string") }
    offset += 1
    switch byte {
    case UInt8(ascii: "\""): return "\""
    case UInt8(ascii: "\\"): return "\\"
    case UInt8(ascii: "/"): return "/"
    case UInt8(ascii: "b"): return "\u{8}"
    case UInt8(ascii: "f"): return "\u{C}"
    case UInt8(ascii: "n"): return "\n"
    case UInt8(ascii: "r"): return "\r"
    case UInt8(ascii: "t"): return "\t"
    case UInt8(ascii: "u"): return try parseUnicodeEscape()
    default:
      offset -= 1
      throw error("invalid escape sequence: backslash followed by \(Self.show(byte))")
    }
  }

  /// `\uXXXX`, with UTF-16 surrogate pairs combined (`\uD83D\uDE00`).
  private mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> Unicode.Scalar {
    let first = try parseHexQuad()
    if (0xD800..<0xDC00).contains(first) {
      guard peek() == UInt8(ascii: "\\"), peek(ahead: 1) == UInt8(ascii: "u") else {
        throw error("unpaired UTF-16 surrogate")
      }
      offset += 2
      let second = try parseHexQuad()
      guard (0xDC00..<0xE000).contains(second) else { throw error("unpaired UTF-16 surrogate") }
      return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
    }
    guard let scalar = Unicode.Scalar(first) else { throw error("unpaired UTF-16 surrogate") }
    return scalar
  }

  private mutating func parseHexQuad() throws(JSONSyntaxError) -> UInt32 {
    var value: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = peek(), let digit = Self.hexDigitValue(byte) else {
        throw error("expected four hexadecimal digits after \\u")
      }
      value = value << 4 | digit
      offset += 1
    }
    return value
  }

  /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as its literal text.
  private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = offset
    if peek() == UInt8(ascii: "-") { offset += 1 }
    if peek() == UInt8(ascii: "0") {
      offset += 1
    } else {
      guard try skipDigits() > 0 else { throw error("expected a digit") }
    }
    if peek() == UInt8(ascii: ".") {
      offset += 1
      guard try skipDigits() > 0 else { throw error("expected a digit after '.'") }
    }
    if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
      offset += 1
      if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
      guard try skipDigits() > 0 else { throw error("expected a digit in the exponent") }
    }
    return .number(String(decoding: bytes[start..<offset], as: UTF8.self))
  }

  private mutating func skipDigits() throws(JSONSyntaxError) -> Int {
    let start = offset
    while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { offset += 1 }
    return offset - start
  }

  private mutating func parseLiteral(
    _ word: String, meaning value: JSONValue
  ) throws(JSONSyntaxError) -> JSONValue {
    let wordBytes = word.utf8
    guard bytes.count - offset >= wordBytes.count,
      bytes[offset..<offset + wordBytes.count].elementsEqual(wordBytes)
    else { throw error("invalid literal, expected '\(word)'") }
    offset += wordBytes.count
    return value
  }

  private mutating func expect(_ byte: UInt8, _ message: String) throws(JSONSyntaxError) {
    guard peek() == byte else { throw error(message) }
    offset += 1
  }

  private mutating func skipWhitespace() {
    while let byte = peek(),
      byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
        || byte == UInt8(ascii: "\t")
    {
      offset += 1
    }
  }

  private func peek(ahead distance: Int = 0) -> UInt8? {
    offset + distance < bytes.count ? bytes[offset + distance] : nil
  }

  /// An error at the current offset, located by 1-based line and column (in bytes).
  private func error(_ message: String) -> JSONSyntaxError {
    var line = 1
    var lineStart = 0
    for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
      line += 1
      lineStart = index + 1
    }
    return JSONSyntaxError(line: line, column: offset - lineStart + 1, message: message)
  }

  private static func hexDigitValue(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  private static func show(_ byte: UInt8) -> String {
    (0x20..<0x7F).contains(byte)
      ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16, uppercase: true)
  }
}

/// Where and why a text is not valid JSON.
struct JSONSyntaxError: Error, Equatable {
  var line: Int
  var column: Int
  var message: String

  /// `line 3, column 7: expected ',' or '}'`.
  var reason: String { "line \(line), column \(column): \(message)" }
}
