/// `data.csv`: how to read a CSV file of one sample per row (source csv only).
public struct CSVOptions: Sendable, Equatable {
  /// Zero-based index of the column that holds the integer class label; every other column is a
  /// feature.
  public let labelColumn: Int
  /// Whether the first row holds column names rather than a sample.
  public let hasHeader: Bool
  /// The ASCII character between fields.
  public let delimiter: Character

  static let labelColumnDefault = 0
  static let labelColumnRange = 0...65_535
  static let hasHeaderDefault = true
  static let delimiterDefault: Character = ","
  static let fieldNames = ["labelColumn", "hasHeader", "delimiter"]

  /// The options with every field at its default.
  static let standard = CSVOptions(
    labelColumn: labelColumnDefault, hasHeader: hasHeaderDefault, delimiter: delimiterDefault)

  private init(labelColumn: Int, hasHeader: Bool, delimiter: Character) {
    self.labelColumn = labelColumn
    self.hasHeader = hasHeader
    self.delimiter = delimiter
  }

  init(reading fields: FieldReader) throws(ConfigurationError) {
    labelColumn = try fields.integer(
      "labelColumn", default: Self.labelColumnDefault, in: Self.labelColumnRange)
    hasHeader = try fields.bool("hasHeader", default: Self.hasHeaderDefault)
    let delimiter = try fields.string("delimiter", default: String(Self.delimiterDefault))
    guard let character = delimiter.first, delimiter.count == 1, Self.isValidDelimiter(character)
    else {
      throw .invalidValue(
        path: fields.path(of: "delimiter"), value: delimiter,
        allowed:
          "one printable ASCII character or a tab, not a letter, digit, '\"', '.', '-' or '+'")
    }
    self.delimiter = character
  }

  /// A delimiter that cannot be confused with quoting, line ends or letters of a number.
  static func isValidDelimiter(_ character: Character) -> Bool {
    guard let ascii = character.asciiValue else { return false }
    let isPrintable = (0x20..<0x7F).contains(ascii) || character == "\t"
    return isPrintable && !character.isLetter && !character.isNumber && !"\".-+".contains(character)
  }

  var jsonValue: JSONValue {
    .object([
      "labelColumn": .integer(labelColumn), "hasHeader": .bool(hasHeader),
      "delimiter": .string(String(delimiter)),
    ])
  }
}
