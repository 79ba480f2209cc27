/// How to read a CSV file of numeric features and one integer class label per line.
///
/// The reader is deliberately plain: one sample per line, fields separated by a single-byte
/// delimiter, spaces and tabs around a field ignored, no quoting (a quoted number is reported as
/// non-numeric). Blank lines are skipped; `\r\n` line ends are accepted. Gzipped files are read
/// transparently. Columns and lines are counted from 1, as in the error messages.
public struct CSVFormat: Sendable, Equatable {
  /// Which column holds the label.
  public enum LabelColumn: Sendable, Equatable {
    case first
    case last
    /// The column with this number, counted from 1.
    case number(Int)
  }

  /// Largest accepted file, after decompression: 1 GiB.
  public static let fileBytesMax = 1 << 30
  /// Largest accepted number of columns in a line.
  public static let columnCountMax = 1 << 16
  /// Largest accepted class count (and bound on labels when no class count is given).
  public static let classCountMax = 1 << 16

  /// Which column holds the label; the other columns are the features, in file order.
  public let labelColumn: LabelColumn
  /// Whether the first non-blank line holds column names rather than data.
  public let hasHeaderRow: Bool
  /// The byte separating fields, for example `,`, `;` or a tab.
  public let delimiter: UInt8
  /// The number of classes; `nil` infers it as the largest label plus one.
  public let classCount: Int?

  public init(
    labelColumn: LabelColumn = .last, hasHeaderRow: Bool = false,
    delimiter: Character = ",", classCount: Int? = nil
  ) {
    precondition(
      delimiter.isASCII && delimiter != "\n" && delimiter != "\r",
      "the delimiter must be one ASCII character other than a line end")
    if case .number(let column) = labelColumn {
      precondition(column >= 1, "label column numbers start at 1")
    }
    if let classCount {
      precondition(
        classCount >= 1 && classCount <= Self.classCountMax,
        "class count \(classCount) outside 1...\(Self.classCountMax)")
    }
    self.labelColumn = labelColumn
    self.hasHeaderRow = hasHeaderRow
    self.delimiter = delimiter.asciiValue!
    self.classCount = classCount
  }

  /// Reads the CSV file at `path` as a feature dataset of sample shape `[featureCount]`.
  ///
  /// - Throws: `DatasetError.fileMissing`, `.unreadable`, `.fileTooLarge`, `.corruptGzip`, or
  ///   `.malformedCSV` naming the line and the problem.
  public func load(path: String) throws(DatasetError) -> LabeledDataset {
    let bytes = try ByteStream(path: path).readToEnd(limit: Self.fileBytesMax)
    return try parse(bytes, path: path)
  }

  /// Parses CSV text held in memory; `path` names it in errors.
  ///
  /// - Complexity: O(`bytes.count`).
  public func parse(_ bytes: [UInt8], path: String) throws(DatasetError) -> LabeledDataset {
    var table = CSVTable(format: self, path: path)
    var lineNumber = 0
    var lineStart = 0
    while lineStart < bytes.count {
      lineNumber += 1
      let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
      try table.add(line: bytes[lineStart..<lineEnd], number: lineNumber)
      lineStart = lineEnd + 1
    }
    return try table.dataset(lastLine: max(1, lineNumber))
  }
}

/// The samples read so far from one CSV file.
private struct CSVTable {
  let format: CSVFormat
  let path: String
  var columnCount: Int?
  var isHeaderPending: Bool
  var features: [Float] = []
  var labels: [Int32] = []
  var largestLabel = -1

  init(format: CSVFormat, path: String) {
    self.format = format
    self.path = path
    self.isHeaderPending = format.hasHeaderRow
  }

  /// Reads one line (without its `\n`), numbered `number` from 1.
  mutating func add(line: ArraySlice<UInt8>, number: Int) throws(DatasetError) {
    // A control byte would cut a number short where the parser stops at it (`1\0garbage`
    // reading as 1): refuse the line instead. Tab may be the delimiter; `\r` ends CRLF lines.
    if let control = line.firstIndex(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0D }) {
      throw DatasetError.malformedCSV(
        path: path, line: number,
        problem: .controlCharacter(
          byte: line[control], column: line[..<control].count { $0 == format.delimiter } + 1))
    }
    let fields = split(line)
    if fields.count == 1 && fields[0].isEmpty { return }  // A blank line.
    func failure(_ problem: CSVProblem) -> DatasetError {
      .malformedCSV(path: path, line: number, problem: problem)
    }
    guard fields.count <= CSVFormat.columnCountMax else {
      throw failure(.tooManyColumns(limit: CSVFormat.columnCountMax))
    }
    let expected = columnCount ?? fields.count
    guard fields.count == expected else {
      throw failure(.wrongColumnCount(expected: expected, found: fields.count))
    }
    columnCount = expected
    let labelIndex: Int
    switch format.labelColumn {
    case .first: labelIndex = 0
    case .last: labelIndex = fields.count - 1
    case .number(let column): labelIndex = column - 1
    }
    guard labelIndex < fields.count else {
      throw failure(.labelColumnMissing(column: labelIndex + 1, columnCount: fields.count))
    }
    guard fields.count >= 2 else { throw failure(.noFeatures) }
    if isHeaderPending {
      isHeaderPending = false
      return
    }
    for (index, field) in fields.enumerated() where index != labelIndex {
      guard let value = Float(field), value.isFinite else {
        throw failure(.nonNumeric(column: index + 1, text: field))
      }
      features.append(value)
    }
    let label = try parseLabel(fields[labelIndex], failure)
    labels.append(Int32(label))
    largestLabel = max(largestLabel, label)
  }

  private func parseLabel(
    _ text: String, _ failure: (CSVProblem) -> DatasetError
  ) throws(DatasetError) -> Int {
    guard let value = Double(text), value.isFinite else {
      throw failure(.nonNumeric(column: labelColumnNumber, text: text))
    }
    guard value == value.rounded(), abs(value) <= Double(Int32.max) else {
      throw failure(.nonIntegerLabel(text: text))
    }
    let label = Int(value)
    guard label >= 0 else { throw failure(.negativeLabel(label)) }
    let bound = format.classCount ?? CSVFormat.classCountMax
    guard label < bound else { throw failure(.labelOutOfRange(label: label, classCount: bound)) }
    return label
  }

  private var labelColumnNumber: Int {
    switch format.labelColumn {
    case .first: return 1
    case .last: return columnCount ?? 1
    case .number(let column): return column
    }
  }

  /// The fields of a line, trimmed of spaces, tabs and a final `\r`.
  private func split(_ line: ArraySlice<UInt8>) -> [String] {
    var fields: [String] = []
    var fieldStart = line.startIndex
    for index in line.indices where line[index] == format.delimiter {
      fields.append(trimmed(line[fieldStart..<index]))
      fieldStart = index + 1
      if fields.count > CSVFormat.columnCountMax { return fields }
    }
    fields.append(trimmed(line[fieldStart..<line.endIndex]))
    return fields
  }

  private func trimmed(_ field: ArraySlice<UInt8>) -> String {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
    var start = field.startIndex
    var end = field.endIndex
    while start < end && isSpace(field[start]) { start += 1 }
    while end > start && isSpace(field[end - 1]) { end -= 1 }
    return String(decoding: field[start..<end], as: UTF8.self)
  }

  /// The dataset of all lines read.
  func dataset(lastLine: Int) throws(DatasetError) -> LabeledDataset {
    guard let columnCount, !labels.isEmpty else {
      throw .malformedCSV(path: path, line: lastLine, problem: .noData)
    }
    return LabeledDataset(
      sampleShape: [columnCount - 1], classCount: format.classCount ?? (largestLabel + 1),
      labels: labels, features: features)
  }
}
