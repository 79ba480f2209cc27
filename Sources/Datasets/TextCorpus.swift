import Foundation
import Platform
import Tensors

/// A character-level text corpus: the text as token ids over its own vocabulary of Unicode
/// scalars (sorted, so the same text always gives the same ids).
public struct TextCorpus: Sendable {
  /// Largest text file read.
  public static let fileBytesMax = 64 << 20
  /// Largest vocabulary (distinct characters) accepted.
  public static let vocabularySizeMax = 4096
  /// Fewest characters a corpus must have to train on.
  public static let charactersMin = 16

  public let vocabulary: [Unicode.Scalar]
  public let tokens: [Int32]

  /// Tokenises `text`; `path` names the source in errors.
  public init(text: String, path: String = "<text>") throws(DatasetError) {
    let scalars = Array(text.unicodeScalars)
    guard scalars.count >= Self.charactersMin else {
      throw .truncated(path: path, expectedBytes: Self.charactersMin, actualBytes: scalars.count)
    }
    let vocabulary = Set(scalars).sorted { $0.value < $1.value }
    guard vocabulary.count <= Self.vocabularySizeMax else {
      throw .unreadable(
        path: path,
        reason:
          "\(vocabulary.count) distinct characters; at most \(Self.vocabularySizeMax) are supported"
      )
    }
    let ids = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
    self.vocabulary = vocabulary
    self.tokens = scalars.map { ids[$0]! }
  }

  /// Reads a UTF-8 text file.
  public static func load(path: String) throws(DatasetError) -> TextCorpus {
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.contents(of: path, bytesMax: fileBytesMax)
    } catch {
      throw DatasetError(error)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .unreadable(path: path, reason: "not UTF-8 text")
    }
    return try TextCorpus(text: text, path: path)
  }

  public var vocabularySize: Int { vocabulary.count }

  /// The text of `tokens`.
  public func decode(_ tokens: [Int32]) -> String {
    var text = String.UnicodeScalarView()
    text.append(contentsOf: tokens.map { vocabulary[Int($0)] })
    return String(text)
  }

  /// `count` windows of `length` tokens starting at random offsets of `tokens`: the inputs as a
  /// `[count, length]` tensor of ids, and the targets (each next token) flattened row by row.
  public static func randomWindows(
    from tokens: ArraySlice<Int32>, count: Int, length: Int, using generator: inout SeededGenerator
  ) -> (inputs: Tensor, targets: [Int32]) {
    precondition(
      tokens.count > length, "a window of \(length) needs more than \(tokens.count) tokens")
    let starts = (0..<count).map { _ in
      tokens.startIndex + Int(generator.next() % UInt64(tokens.count - length))
    }
    return windows(from: tokens, starts: starts, length: length)
  }

  /// Windows at the given start indices.
  public static func windows(
    from tokens: ArraySlice<Int32>, starts: [Int], length: Int
  ) -> (inputs: Tensor, targets: [Int32]) {
    var targets = [Int32]()
    targets.reserveCapacity(starts.count * length)
    let inputs = Tensor(shape: [starts.count, length]) { out in
      for (row, start) in starts.enumerated() {
        for position in 0..<length {
          out[row * length + position] = Float(tokens[start + position])
          targets.append(tokens[start + position + 1])
        }
      }
    }
    return (inputs, targets)
  }
}
