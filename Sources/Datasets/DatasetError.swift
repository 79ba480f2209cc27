/// Why a dataset file could not be read.
///
/// Every case names the file, so a message such as
/// `train-images-idx3-ubyte.gz: truncated: expected 47040016 bytes, found 1000` can be shown to a
/// user as is. Malformed or truncated files always end in one of these errors, never in a crash.
public enum DatasetError: Error, Equatable, Sendable {
  /// No file exists at `path`.
  case fileMissing(path: String)
  /// The file exists but cannot be opened or read (`reason` is the system's explanation).
  case unreadable(path: String, reason: String)
  /// The file (after decompression) holds fewer bytes than its header implies.
  case truncated(path: String, expectedBytes: Int, actualBytes: Int)
  /// The file (after decompression) holds more bytes than the `expectedBytes` its header implies.
  case tooLong(path: String, expectedBytes: Int)
  /// The file is larger than the reader accepts.
  case fileTooLarge(path: String, bytes: Int, limit: Int)
  /// A gzip file whose header declares far more data than its size can hold at a sane
  /// compression ratio (a decompression bomb, or a damaged header).
  case implausibleInflation(path: String, declaredBytes: Int, compressedBytes: Int, ratioMax: Int)
  /// Reading the file would need more memory than the budget allows.
  case memory(path: String, reason: String)
  /// The file starts with a magic number other than the one its format requires.
  case badMagic(path: String, found: UInt32, expected: UInt32)
  /// The gzip stream is damaged or ends early.
  case corruptGzip(path: String, reason: String)
  /// Dimension `axis` of a file header is larger than `limit`.
  case dimensionTooLarge(path: String, axis: Int, size: Int, limit: Int)
  /// Dimension `axis` of a file header is zero where samples need a positive size.
  case emptyDimension(path: String, axis: Int)
  /// The header describes more elements than `limit`.
  case tooManyElements(path: String, limit: Int)
  /// Samples of `path` have another shape than those of `otherPath`.
  case shapeMismatch(path: String, shape: [Int], otherPath: String, otherShape: [Int])
  /// `path` holds `count` items and `otherPath`, which must match it, holds `otherCount`.
  case countMismatch(path: String, count: Int, otherPath: String, otherCount: Int)
  /// Sample `index` of `path` has a label outside `0..<classCount`.
  case labelOutOfRange(path: String, index: Int, label: Int, classCount: Int)
  /// The file size is not a whole number of fixed-size records.
  case partialRecord(path: String, bytes: Int, recordBytes: Int)
  /// Line `line` (counted from 1) of a CSV file cannot be read.
  case malformedCSV(path: String, line: Int, problem: CSVProblem)
}

/// What is wrong with one line of a CSV file.
public enum CSVProblem: Equatable, Sendable {
  /// The line has `found` columns where the file's first line has `expected`.
  case wrongColumnCount(expected: Int, found: Int)
  /// The field in `column` (counted from 1) is not a finite number.
  case nonNumeric(column: Int, text: String)
  /// The label field is a number but not a whole one, or too large to be a label.
  case nonIntegerLabel(text: String)
  /// The label is below zero.
  case negativeLabel(Int)
  /// The label is not below the class count (the one given, or `CSVFormat.classCountMax`).
  case labelOutOfRange(label: Int, classCount: Int)
  /// The line has more columns than `limit` (`CSVFormat.columnCountMax`).
  case tooManyColumns(limit: Int)
  /// The label column (counted from 1) lies beyond the columns of the line.
  case labelColumnMissing(column: Int, columnCount: Int)
  /// The line has a label column and nothing else.
  case noFeatures
  /// The file holds no data line.
  case noData
  /// The line holds a control byte (a NUL, for example) in `column` (counted from 1).
  case controlCharacter(byte: UInt8, column: Int)
}

extension DatasetError: CustomStringConvertible {
  public var description: String {
    switch self {
    case .fileMissing(let path):
      return "\(path): no such file"
    case .unreadable(let path, let reason):
      return "\(path): cannot be read: \(reason)"
    case .truncated(let path, let expectedBytes, let actualBytes):
      return "\(path): truncated: expected \(expectedBytes) bytes, found \(actualBytes)"
    case .tooLong(let path, let expectedBytes):
      return "\(path): unexpected data after the \(expectedBytes) bytes its header describes"
    case .fileTooLarge(let path, let bytes, let limit):
      return "\(path): \(bytes) bytes is more than the limit of \(limit)"
    case .implausibleInflation(let path, let declaredBytes, let compressedBytes, let ratioMax):
      return "\(path): the header declares \(declaredBytes) bytes, more than \(ratioMax) times "
        + "the \(compressedBytes) compressed bytes (a damaged header or a decompression bomb)"
    case .memory(let path, let reason):
      return "\(path): \(reason)"
    case .badMagic(let path, let found, let expected):
      return "\(path): bad magic number \(hexadecimal(found)), expected \(hexadecimal(expected))"
    case .corruptGzip(let path, let reason):
      return "\(path): corrupt gzip data: \(reason)"
    case .dimensionTooLarge(let path, let axis, let size, let limit):
      return "\(path): dimension \(axis) has size \(size), more than the limit of \(limit)"
    case .emptyDimension(let path, let axis):
      return "\(path): dimension \(axis) has size 0"
    case .tooManyElements(let path, let limit):
      return "\(path): the header describes more than \(limit) elements"
    case .shapeMismatch(let path, let shape, let otherPath, let otherShape):
      return "\(path): samples of shape \(shape) do not match \(otherShape) in \(otherPath)"
    case .countMismatch(let path, let count, let otherPath, let otherCount):
      return "\(path): holds \(count) items but \(otherPath) holds \(otherCount)"
    case .labelOutOfRange(let path, let index, let label, let classCount):
      return "\(path): sample \(index) has label \(label), not in 0..<\(classCount)"
    case .partialRecord(let path, let bytes, let recordBytes):
      return "\(path): \(bytes) bytes is not a whole number of \(recordBytes)-byte records"
    case .malformedCSV(let path, let line, let problem):
      return "\(path): line \(line): \(problem)"
    }
  }
}

extension CSVProblem: CustomStringConvertible {
  public var description: String {
    switch self {
    case .wrongColumnCount(let expected, let found):
      return "expected \(expected) columns, found \(found)"
    case .nonNumeric(let column, let text):
      return "column \(column): \"\(text)\" is not a finite number"
    case .nonIntegerLabel(let text):
      return "label \"\(text)\" is not a whole number that fits a label"
    case .negativeLabel(let label):
      return "negative label \(label)"
    case .labelOutOfRange(let label, let classCount):
      return "label \(label) is not in 0..<\(classCount)"
    case .tooManyColumns(let limit):
      return "more than the limit of \(limit) columns"
    case .labelColumnMissing(let column, let columnCount):
      return "label column \(column) is beyond the \(columnCount) columns of the line"
    case .noFeatures:
      return "the line has a label and no feature"
    case .noData:
      return "no data lines"
    case .controlCharacter(let byte, let column):
      let hex = String(byte, radix: 16)
      return "column \(column): control character 0x\(hex.count == 1 ? "0" + hex : hex) "
        + "(a CSV file holds text only)"
    }
  }
}

/// `0x00000803` for 2051: magic numbers read best as eight hexadecimal digits.
private func hexadecimal(_ value: UInt32) -> String {
  let digits = String(value, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
