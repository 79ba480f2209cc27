import Testing

@testable import Datasets

@Suite struct CSVFormatTests {
  let directory = TemporaryDirectory()

  func parse(_ text: String, _ format: CSVFormat = CSVFormat()) throws(DatasetError)
    -> LabeledDataset
  {
    try format.parse(Array(text.utf8), path: "data.csv")
  }

  func failure(line: Int, _ problem: CSVProblem) -> DatasetError {
    .malformedCSV(path: "data.csv", line: line, problem: problem)
  }

  @Test func readsFeaturesAndLastColumnLabels() throws {
    let dataset = try parse("1.5,2,0\n-3,4e-1,2\n5, 6 ,1\n")
    #expect(dataset.sampleShape == [2])
    #expect(dataset.count == 3)
    #expect(dataset.labels == [0, 2, 1])
    #expect(dataset.classCount == 3)
    #expect(!dataset.isByteStorage)
    #expect(dataset.batch(0..<3).inputs.scalars == [1.5, 2, -3, 0.4, 5, 6])
  }

  @Test func honoursHeaderDelimiterLabelColumnAndClassCount() throws {
    let format = CSVFormat(
      labelColumn: .number(2), hasHeaderRow: true, delimiter: ";", classCount: 5)
    let dataset = try parse("width;class;height\r\n1;4;2\r\n\r\n3;0;4\r\n", format)
    #expect(dataset.labels == [4, 0])
    #expect(dataset.classCount == 5)
    #expect(dataset.batch(0..<2).inputs.scalars == [1, 2, 3, 4])
  }

  @Test func firstColumnLabelsAndTabsWork() throws {
    let dataset = try parse(
      "1\t0.5\t0.25\n0\t1\t2", CSVFormat(labelColumn: .first, delimiter: "\t"))
    #expect(dataset.labels == [1, 0])
    #expect(dataset.batch([0]).inputs.scalars == [0.5, 0.25])
  }

  @Test func wholeNumberWrittenAsFloatIsALabel() throws {
    #expect(try parse("1,2.0\n").labels == [2])
  }

  @Test func loadsFromAPlainOrGzippedFile() throws {
    let text = Array("a,b,label\n1,2,1\n3,4,0\n".utf8)
    let plain = directory.write(text, to: "plain.csv")
    let compressed = directory.writeGzipped(text, to: "compressed.csv.gz")
    let format = CSVFormat(hasHeaderRow: true)
    #expect(try format.load(path: plain).labels == [1, 0])
    #expect(try format.load(path: compressed).batch([1]).inputs.scalars == [3, 4])
  }

  @Test func missingFileIsReported() {
    let path = directory.path + "/absent.csv"
    #expect(throws: DatasetError.fileMissing(path: path)) { try CSVFormat().load(path: path) }
  }

  @Test func wrongColumnCountNamesTheLine() {
    #expect(throws: failure(line: 3, .wrongColumnCount(expected: 3, found: 2))) {
      try parse("1,2,0\n3,4,1\n5,1\n")
    }
  }

  @Test func headerSetsTheColumnCount() {
    #expect(throws: failure(line: 2, .wrongColumnCount(expected: 4, found: 3))) {
      try parse("a,b,c,label\n1,2,0\n", CSVFormat(hasHeaderRow: true))
    }
  }

  @Test func nonNumericFeatureNamesLineAndColumn() {
    #expect(throws: failure(line: 2, .nonNumeric(column: 2, text: "abc"))) {
      try parse("1,2,0\n3,abc,1\n")
    }
  }

  @Test(arguments: ["nan", "inf", "\"3\"", ""])
  func nonFiniteQuotedOrEmptyFeatureIsNonNumeric(text: String) {
    #expect(throws: failure(line: 1, .nonNumeric(column: 1, text: text))) {
      try parse("\(text),2,0\n")
    }
  }

  @Test func negativeLabelIsReported() {
    #expect(throws: failure(line: 2, .negativeLabel(-1))) { try parse("1,0\n2,-1\n") }
  }

  @Test func fractionalLabelIsReported() {
    #expect(throws: failure(line: 1, .nonIntegerLabel(text: "0.5"))) { try parse("1,0.5\n") }
  }

  @Test func textLabelIsNonNumericInTheLabelColumn() {
    #expect(throws: failure(line: 1, .nonNumeric(column: 3, text: "cat"))) {
      try parse("1,2,cat\n")
    }
  }

  @Test func labelAtTheGivenClassCountIsOutOfRange() {
    #expect(throws: failure(line: 2, .labelOutOfRange(label: 3, classCount: 3))) {
      try parse("1,2\n1,3\n", CSVFormat(classCount: 3))
    }
  }

  @Test func labelAtTheClassCountLimitIsOutOfRangeWithoutAClassCount() throws {
    let limit = CSVFormat.classCountMax
    #expect(try parse("1,\(limit - 1)\n").classCount == limit)
    #expect(throws: failure(line: 1, .labelOutOfRange(label: limit, classCount: limit))) {
      try parse("1,\(limit)\n")
    }
  }

  @Test func labelColumnBeyondTheLineIsReported() {
    #expect(throws: failure(line: 1, .labelColumnMissing(column: 4, columnCount: 3))) {
      try parse("1,2,3\n", CSVFormat(labelColumn: .number(4)))
    }
  }

  @Test func lineWithOnlyALabelHasNoFeatures() {
    #expect(throws: failure(line: 1, .noFeatures)) { try parse("1\n2\n") }
  }

  @Test func columnsAtTheLimitAreAcceptedAndOneMoreIsNot() throws {
    let limit = CSVFormat.columnCountMax
    let atLimit = String(repeating: "1,", count: limit - 1) + "0\n"
    #expect(try parse(atLimit).sampleShape == [limit - 1])
    #expect(throws: failure(line: 1, .tooManyColumns(limit: limit))) {
      try parse("1," + atLimit)
    }
  }

  @Test(arguments: ["", "\n\n", "a,b\n"])
  func fileWithoutDataLinesIsReported(text: String) {
    let format = CSVFormat(hasHeaderRow: text == "a,b\n")
    #expect(
      throws: DatasetError.malformedCSV(
        path: "data.csv", line: max(1, text.filter { $0 == "\n" }.count), problem: .noData)
    ) {
      try parse(text, format)
    }
  }

  @Test func errorDescriptionNamesFileLineAndProblem() {
    let error = failure(line: 7, .wrongColumnCount(expected: 3, found: 2))
    #expect(error.description == "data.csv: line 7: expected 3 columns, found 2")
  }
}
