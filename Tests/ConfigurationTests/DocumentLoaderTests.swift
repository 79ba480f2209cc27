import Foundation
import Testing

@testable import Configuration

@Suite struct DocumentLoaderTests {
  @Test func extendsATemplateByName() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"extends": "fmnist-cnn", "training": {"epochs": 10}}"#)
    let template = try ProjectConfiguration.template(named: "fmnist-cnn")
    #expect(configuration.training.epochs == 10)
    #expect(configuration.model == template.model)
    #expect(configuration.data == template.data)
    #expect(configuration.training.optimizer == template.training.optimizer)
    #expect(configuration.training.batchSize == 64)
  }

  @Test func extendsAFileByRelativePathMergingFieldByField() throws {
    try withTemporaryDirectory { directory in
      try write(
        """
        {
          "project": {"name": "base", "description": "shared settings"},
          "model": {"architecture": "mlp", "seed": 7},
          "training": {
            "epochs": 4, "batchSize": 16,
            "optimizer": {"kind": "sgd", "learningRate": 0.1, "momentum": 0.5}
          }
        }
        """, to: "shared/base.json", in: directory)
      let child = try write(
        """
        {
          "extends": "../shared/base.json",
          "project": {"name": "child"},
          "training": {"batchSize": 8, "optimizer": {"learningRate": 0.2}}
        }
        """, to: "projects/child.json", in: directory)
      let configuration = try ProjectConfiguration.load(path: child)
      // Overridden by the child.
      #expect(configuration.project.name == "child")
      #expect(configuration.training.batchSize == 8)
      #expect(configuration.training.optimizer.learningRate == 0.2)
      // Kept from the parent, beside the overridden fields of the same objects.
      #expect(configuration.project.description == "shared settings")
      #expect(configuration.model.seed == 7)
      #expect(configuration.training.epochs == 4)
      #expect(configuration.training.optimizer.momentum == 0.5)
      // Set by neither: defaults, computed from the merged fields.
      #expect(configuration.training.checkpoint == "checkpoints/child.safetensors")
    }
  }

  @Test func extendsChainsThroughAFileToATemplate() throws {
    try withTemporaryDirectory { directory in
      try write(
        #"{"extends": "fmnist-mlp", "training": {"epochs": 2}}"#, to: "middle.json",
        in: directory)
      let top = try write(
        #"{"extends": "middle.json", "model": {"seed": 3}}"#, to: "top.json", in: directory)
      let configuration = try ProjectConfiguration.load(path: top)
      #expect(configuration.training.epochs == 2)
      #expect(configuration.model.seed == 3)
      #expect(configuration.training.optimizer.momentum == 0.9)
    }
  }

  @Test func childNullResetsAnInheritedFieldToItsDefault() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"extends": "fmnist-mlp", "training": {"optimizer": {"momentum": null}}}"#)
    #expect(configuration.training.optimizer.momentum == 0)
    #expect(configuration.training.optimizer.learningRate == 0.05)
  }

  @Test func objectOfAnotherKindReplacesTheParentsObject() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"extends": "fmnist-mlp", "training": {"optimizer": {"kind": "adam"}}}"#)
    #expect(configuration.training.optimizer.kind == .adam)
    // Not the template's 0.05: the whole sgd object was replaced.
    #expect(configuration.training.optimizer.learningRate == 0.001)
  }

  @Test func mergeReplacesArraysAndScalarsAndMergesObjects() {
    let parent = JSONValue.object([
      "list": .array([.number("1"), .number("2")]), "scalar": .string("parent"),
      "nested": .object(["kept": .bool(true), "changed": .number("1")]),
    ])
    let child = JSONValue.object([
      "list": .array([.number("3")]), "scalar": .number("5"),
      "nested": .object(["changed": .number("2")]),
    ])
    #expect(
      DocumentLoader.merge(child, over: parent)
        == .object([
          "list": .array([.number("3")]), "scalar": .number("5"),
          "nested": .object(["kept": .bool(true), "changed": .number("2")]),
        ]))
  }

  @Test func cycleIsReportedWithEveryFileInOrder() throws {
    try withTemporaryDirectory { directory in
      let first = try write(#"{"extends": "b.json"}"#, to: "a.json", in: directory)
      try write(#"{"extends": "./c.json"}"#, to: "b.json", in: directory)
      try write(#"{"extends": "a.json"}"#, to: "c.json", in: directory)
      #expect(
        throws: ConfigurationError.extendsCycle([
          directory + "/a.json", directory + "/b.json", directory + "/c.json",
          directory + "/a.json",
        ])
      ) { try ProjectConfiguration.load(path: first) }
    }
  }

  @Test func fileExtendingItselfIsACycle() throws {
    try withTemporaryDirectory { directory in
      let path = try write(#"{"extends": "self.json"}"#, to: "self.json", in: directory)
      #expect(throws: ConfigurationError.extendsCycle([path, path])) {
        try ProjectConfiguration.load(path: path)
      }
    }
  }

  @Test func chainsUpToTheDepthLimitLoadAndLongerOnesAreRejected() throws {
    try withTemporaryDirectory { directory in
      // file0 extends file1 ... extends file8: 8 extends, the limit.
      try write("{}", to: "file8.json", in: directory)
      for index in 0..<8 {
        try write(
          #"{"extends": "file\#(index + 1).json"}"#, to: "file\(index).json", in: directory)
      }
      _ = try ProjectConfiguration.load(path: directory + "/file0.json")
      try write(#"{"extends": "file0.json"}"#, to: "file-1.json", in: directory)
      let names = ["file-1"] + (0...8).map { "file\($0)" }
      #expect(
        throws: ConfigurationError.extendsTooDeep(
          names.map { "\(directory)/\($0).json" }, depthMax: 8)
      ) { try ProjectConfiguration.load(path: directory + "/file-1.json") }
    }
  }

  @Test func extendsOfAnUnknownNameThatIsNotAPathIsAnUnknownTemplate() {
    #expect(
      throws: ConfigurationError.unknownTemplate(
        name: "fmnist-resnet", available: ProjectConfiguration.templateNames)
    ) { try ProjectConfiguration.parse(json: #"{"extends": "fmnist-resnet"}"#) }
  }

  @Test func extendsMustBeAString() {
    #expect(
      throws: ConfigurationError.wrongType(path: "extends", expected: "string", found: "number 3")
    ) { try ProjectConfiguration.parse(json: #"{"extends": 3}"#) }
  }

  @Test func missingParentFileIsUnreadable() throws {
    try withTemporaryDirectory { directory in
      let child = try write(#"{"extends": "gone.json"}"#, to: "child.json", in: directory)
      #expect(
        throws: ConfigurationError.unreadableFile(
          path: directory + "/gone.json", reason: "no such file")
      ) { try ProjectConfiguration.load(path: child) }
    }
  }

  @Test func relativeDataAndCheckpointPathsAreRelativeToTheFileThatWritesThem() throws {
    try withTemporaryDirectory { directory in
      try write(
        """
        {"model": {"architecture": "mlp"},
         "data": {"source": "csv", "path": "data/rows.csv"},
         "training": {"checkpoint": "../out/model.safetensors"}}
        """, to: "base/base.json", in: directory)
      let child = try write(
        #"{"extends": "../base/base.json", "data": {"csv": {"hasHeader": false}}}"#,
        to: "projects/child.json", in: directory)
      let configuration = try ProjectConfiguration.load(path: child)
      #expect(configuration.data.path == directory + "/base/data/rows.csv")
      #expect(configuration.training.checkpoint == directory + "/out/model.safetensors")
    }
  }

  @Test func absolutePathsAreKept() throws {
    let configuration = try ProjectConfiguration.parse(
      json: #"{"data": {"source": "idx-directory", "path": "/srv/mnist"}}"#,
      baseDirectory: "/elsewhere")
    #expect(configuration.data.path == "/srv/mnist")
  }

  @Test func fileAtTheSizeLimitIsReadAndOneByteMoreIsRejected() throws {
    try withTemporaryDirectory { directory in
      let document = #"{"project": {"name": "padded"}}"#
      let padding = String(
        repeating: " ", count: ProjectConfiguration.fileBytesMax - document.utf8.count)
      let atLimit = try write(document + padding, to: "limit.json", in: directory)
      #expect(try ProjectConfiguration.load(path: atLimit).project.name == "padded")
      let tooLarge = try write(document + padding + " ", to: "large.json", in: directory)
      #expect(
        throws: ConfigurationError.fileTooLarge(
          path: tooLarge, bytesMax: ProjectConfiguration.fileBytesMax)
      ) { try ProjectConfiguration.load(path: tooLarge) }
    }
  }

  @Test func invalidJSONNamesTheFileAndThePosition() throws {
    try withTemporaryDirectory { directory in
      let path = try write("{\n  \"model\": {\"seed\": 1,}\n}", to: "broken.json", in: directory)
      #expect(
        throws: ConfigurationError.invalidJSON(
          file: path, reason: "line 2, column 23: expected a string key")
      ) { try ProjectConfiguration.load(path: path) }
    }
  }

  @Test func invalidJSONInAParentNamesTheParent() throws {
    try withTemporaryDirectory { directory in
      let parent = try write("{", to: "parent.json", in: directory)
      let child = try write(#"{"extends": "parent.json"}"#, to: "child.json", in: directory)
      let error = try #require(throws: ConfigurationError.self) {
        try ProjectConfiguration.load(path: child)
      }
      guard case .invalidJSON(let file, _) = error else {
        Issue.record("expected invalidJSON, got \(error)")
        return
      }
      #expect(file == parent)
    }
  }

  @Test func nonUTF8FileIsInvalidJSON() throws {
    try withTemporaryDirectory { directory in
      let path = directory + "/latin1.json"
      try Data([0x7B, 0x22, 0xE9, 0x22, 0x7D]).write(to: URL(fileURLWithPath: path))
      #expect(
        throws: ConfigurationError.invalidJSON(file: path, reason: "the file is not UTF-8 text")
      ) { try ProjectConfiguration.load(path: path) }
    }
  }

  @Test func byteOrderMarkIsSkipped() throws {
    try withTemporaryDirectory { directory in
      let path = try write("\u{FEFF}{\"model\": {\"seed\": 4}}", to: "bom.json", in: directory)
      #expect(try ProjectConfiguration.load(path: path).model.seed == 4)
    }
  }

  @Test func directoryIsUnreadable() throws {
    try withTemporaryDirectory { directory in
      #expect(
        throws: ConfigurationError.unreadableFile(path: directory, reason: "is a directory")
      ) { try ProjectConfiguration.load(path: directory) }
    }
  }

  @Test func topLevelMustBeAnObject() {
    #expect(
      throws: ConfigurationError.wrongType(path: "", expected: "object", found: "array")
    ) { try ProjectConfiguration.parse(json: "[]") }
  }
}
