extension JSONValue {
  /// The value as pretty-printed JSON: two-space indentation, object keys sorted by their UTF-8
  /// bytes, `/` and non-ASCII characters left as they are.
  ///
  /// The output depends only on the value, never on dictionary order, so equal configurations
  /// print to identical bytes (and hash to the same digest).
  ///
  /// - Complexity: O(n log n) in the size of the value (the key sort).
  func prettyPrinted() -> String {
    var output = ""
    write(to: &output, indentation: "")
    return output
  }

  private func write(to output: inout String, indentation: String) {
    let inner = indentation + "  "
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .number(let literal): output += literal
    case .string(let text), .commandLine(let text): Self.writeString(text, to: &output)
    case .array(let elements):
      guard !elements.isEmpty else {
        output += "[]"
        return
      }
      output += "[\n"
      for (index, element) in elements.enumerated() {
        output += inner
        element.write(to: &output, indentation: inner)
        output += index == elements.count - 1 ? "\n" : ",\n"
      }
      output += indentation + "]"
    case .object(let members):
      guard !members.isEmpty else {
        output += "{}"
        return
      }
      output += "{\n"
      let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      for (index, key) in keys.enumerated() {
        output += inner
        Self.writeString(key, to: &output)
        output += ": "
        members[key]!.write(to: &output, indentation: inner)
        output += index == keys.count - 1 ? "\n" : ",\n"
      }
      output += indentation + "}"
    }
  }

  private static func writeString(_ text: String, to output: inout String) {
    output += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": output += "\\\""
      case "\\": output += "\\\\"
      case "\n": output += "\\n"
      case "\r": output += "\\r"
      case "\t": output += "\\t"
      case "\u{0}"..."\u{1F}":
        let hex = String(scalar.value, radix: 16, uppercase: true)
        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: output.unicodeScalars.append(scalar)
      }
    }
    output += "\""
  }
}
