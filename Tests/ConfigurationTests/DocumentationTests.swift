import Foundation
import Testing

@testable import Configuration

/// Keeps `docs/configuration.md` in step with the code: its examples load, and it has a table row
/// for every field the code reads.
@Suite struct DocumentationTests {
  static let documentPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/configuration.md").path

  static func document() throws -> String {
    try String(contentsOfFile: documentPath, encoding: .utf8)
  }

  @Test func everyJSONExampleLoads() throws {
    let blocks = try Self.document().components(separatedBy: "```json\n").dropFirst()
      .map { $0.components(separatedBy: "```")[0] }
    #expect(!blocks.isEmpty)
    for block in blocks {
      _ = try ProjectConfiguration.parse(json: block)
    }
  }

  @Test func everyFieldHasATableRow() throws {
    let document = try Self.document()
    let fields =
      ProjectMetadata.fieldNames + ModelConfiguration.fieldNames + DataConfiguration.fieldNames
      + CSVOptions.fieldNames + PartitionConfiguration.fieldNames
      + TrainingConfiguration.fieldNames + OptimizerConfiguration.fieldNames
      + ScheduleConfiguration.fieldNames + TopologyConfiguration.fieldNames
      + PrivacyConfiguration.fieldNames + SecurityConfiguration.fieldNames
      + ExperimentConfiguration.fieldNames + AdmissionConfiguration.fieldNames
      + AdmissionConfiguration.entryFieldNames
    for field in fields {
      #expect(document.contains("| `\(field)` |"), "no table row for \(field)")
    }
  }

  @Test func everyTemplateIsDescribed() throws {
    let document = try Self.document()
    for name in ProjectConfiguration.templateNames {
      #expect(document.contains("| `\(name)` |"), "no table row for template \(name)")
    }
  }
}
