import Testing

@testable import Datasets

@Suite struct DatasetErrorTests {
  @Test(arguments: [
    (DatasetError.fileMissing(path: "a.gz"), "a.gz: no such file"),
    (.unreadable(path: "a", reason: "Permission denied"), "a: cannot be read: Permission denied"),
    (
      .truncated(path: "a", expectedBytes: 100, actualBytes: 40),
      "a: truncated: expected 100 bytes, found 40"
    ),
    (
      .tooLong(path: "a", expectedBytes: 100),
      "a: unexpected data after the 100 bytes its header describes"
    ),
    (.fileTooLarge(path: "a", bytes: 9, limit: 8), "a: 9 bytes is more than the limit of 8"),
    (
      .badMagic(path: "a", found: 0x801, expected: 0x803),
      "a: bad magic number 0x00000801, expected 0x00000803"
    ),
    (
      .corruptGzip(path: "a.gz", reason: "incorrect data check"),
      "a.gz: corrupt gzip data: incorrect data check"
    ),
    (
      .dimensionTooLarge(path: "a", axis: 1, size: 99, limit: 10),
      "a: dimension 1 has size 99, more than the limit of 10"
    ),
    (.emptyDimension(path: "a", axis: 2), "a: dimension 2 has size 0"),
    (.tooManyElements(path: "a", limit: 5), "a: the header describes more than 5 elements"),
    (
      .shapeMismatch(path: "t", shape: [5, 3, 1], otherPath: "s", otherShape: [4, 3, 1]),
      "t: samples of shape [5, 3, 1] do not match [4, 3, 1] in s"
    ),
    (
      .countMismatch(path: "i", count: 6, otherPath: "l", otherCount: 5),
      "i: holds 6 items but l holds 5"
    ),
    (
      .labelOutOfRange(path: "l", index: 3, label: 10, classCount: 10),
      "l: sample 3 has label 10, not in 0..<10"
    ),
    (
      .partialRecord(path: "b", bytes: 3074, recordBytes: 3073),
      "b: 3074 bytes is not a whole number of 3073-byte records"
    ),
    (
      .malformedCSV(path: "c", line: 2, problem: .negativeLabel(-1)), "c: line 2: negative label -1"
    ),
  ])
  func descriptionNamesTheFileAndTheProblem(error: DatasetError, text: String) {
    #expect(error.description == text)
  }

  @Test(arguments: [
    (CSVProblem.wrongColumnCount(expected: 3, found: 2), "expected 3 columns, found 2"),
    (.nonNumeric(column: 2, text: "x"), "column 2: \"x\" is not a finite number"),
    (.nonIntegerLabel(text: "0.5"), "label \"0.5\" is not a whole number that fits a label"),
    (.labelOutOfRange(label: 7, classCount: 3), "label 7 is not in 0..<3"),
    (.tooManyColumns(limit: 4), "more than the limit of 4 columns"),
    (
      .labelColumnMissing(column: 5, columnCount: 3),
      "label column 5 is beyond the 3 columns of the line"
    ),
    (.noFeatures, "the line has a label and no feature"),
    (.noData, "no data lines"),
  ])
  func csvProblemDescriptionsReadAsSentences(problem: CSVProblem, text: String) {
    #expect(problem.description == text)
  }
}
