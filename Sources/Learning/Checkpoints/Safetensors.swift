import Foundation
import Platform
import Tensors

/// Why a safetensors file could not be read or written.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
  case unreadable(path: String, reason: String)
  case truncated(path: String, reason: String)
  case malformedHeader(path: String, reason: String)
  case unsupportedType(path: String, tensor: String, dtype: String)
  case mismatch(path: String, reason: String)
  /// The checkpoint could not be written (`reason` in plain words, as `FileError` gives it).
  case unwritable(path: String, reason: String)
  /// A tensor to be written holds a NaN or an infinity: such a model is refused, not saved.
  case nonFinite(path: String, tensor: String)

  public var description: String {
    switch self {
    case .unreadable(let path, let reason): "\(path): cannot read checkpoint: \(reason)"
    case .truncated(let path, let reason): "\(path): truncated checkpoint: \(reason)"
    case .malformedHeader(let path, let reason): "\(path): malformed safetensors header: \(reason)"
    case .unsupportedType(let path, let tensor, let dtype):
      "\(path): tensor '\(tensor)' has dtype \(dtype); only F32 is supported"
    case .mismatch(let path, let reason): "\(path): checkpoint does not fit this model: \(reason)"
    case .unwritable(let path, let reason): "cannot write checkpoint '\(path)': \(reason)"
    case .nonFinite(let path, let tensor):
      "\(path): not written: tensor '\(tensor)' holds a NaN or an infinity"
    }
  }
}

/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to its dtype, shape and byte range, then the raw little-endian data. Files open
/// with Python's `safetensors` and load into PyTorch.
public enum Safetensors {
  /// Largest checkpoint file read (8 GiB: two billion parameters).
  public static let fileBytesMax = 8 << 30
  /// Header bytes accepted when reading (the format's own limit is 100 MB).
  public static let headerBytesMax = 100_000_000
  /// Dimensions accepted per tensor.
  public static let rankMax = 8

  /// Serialises named tensors (in the given order) and string metadata.
  public static func encode(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]
  ) -> [UInt8] {
    var header: [String: Any] = [:]
    if !metadata.isEmpty { header["__metadata__"] = metadata }
    var offset = 0
    for (name, tensor) in tensors {
      precondition(header[name] == nil && name != "__metadata__", "duplicate tensor name \(name)")
      let bytes = tensor.count * 4
      header[name] = [
        "dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes],
      ]
      offset += bytes
    }
    var json = Array(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var output = [UInt8]()
    output.reserveCapacity(8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { output.append(contentsOf: $0) }
    output.append(contentsOf: json)
    for (_, tensor) in tensors {
      tensor.withUnsafeBufferPointer { values in
        for value in values {
          withUnsafeBytes(of: value.bitPattern.littleEndian) { output.append(contentsOf: $0) }
        }
      }
    }
    return output
  }

  /// Parses a safetensors buffer; `path` names the source in errors.
  public static func decode(
    _ bytes: [UInt8], path: String = "<memory>"
  ) throws(CheckpointError) -> (
    tensors: [(name: String, tensor: Tensor)], metadata: [String: String]
  ) {
    guard bytes.count >= 8 else {
      throw .truncated(path: path, reason: "\(bytes.count) bytes, no header length")
    }
    let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) {
      $0 | UInt64($1.element) << (8 * UInt64($1.offset))
    }
    guard headerLength <= UInt64(headerBytesMax) else {
      throw .malformedHeader(
        path: path, reason: "header of \(headerLength) bytes exceeds \(headerBytesMax)")
    }
    guard 8 + Int(headerLength) <= bytes.count else {
      throw .truncated(
        path: path, reason: "header needs \(headerLength) bytes, file has \(bytes.count - 8)")
    }
    let dataStart = 8 + Int(headerLength)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
    } catch {
      throw .malformedHeader(path: path, reason: "not JSON")
    }
    guard let header = object as? [String: Any] else {
      throw .malformedHeader(path: path, reason: "not a JSON object")
    }
    var metadata: [String: String] = [:]
    if let raw = header["__metadata__"] {
      guard let strings = raw as? [String: String] else {
        throw .malformedHeader(path: path, reason: "__metadata__ must map strings to strings")
      }
      metadata = strings
    }
    var entries: [(name: String, shape: [Int], range: Range<Int>)] = []
    for (name, raw) in header where name != "__metadata__" {
      entries.append(
        try parseEntry(name: name, raw, path: path, dataBytes: bytes.count - dataStart))
    }
    entries.sort { $0.range.lowerBound < $1.range.lowerBound }
    var end = 0
    for entry in entries {
      guard entry.range.lowerBound == end else {
        throw .malformedHeader(
          path: path, reason: "tensor '\(entry.name)' overlaps or leaves a gap")
      }
      end = entry.range.upperBound
    }
    guard end == bytes.count - dataStart else {
      throw .malformedHeader(
        path: path, reason: "data is \(bytes.count - dataStart) bytes, header covers \(end)")
    }
    let tensors = entries.map { entry in
      (
        entry.name,
        Tensor(shape: entry.shape) { out in
          bytes.withUnsafeBytes { raw in
            for index in 0..<out.count {
              let bits = raw.loadUnaligned(
                fromByteOffset: dataStart + entry.range.lowerBound + 4 * index, as: UInt32.self)
              out[index] = Float(bitPattern: UInt32(littleEndian: bits))
            }
          }
        }
      )
    }
    return (tensors, metadata)
  }

  private static func parseEntry(
    name: String, _ raw: Any, path: String, dataBytes: Int
  ) throws(CheckpointError) -> (name: String, shape: [Int], range: Range<Int>) {
    guard let fields = raw as? [String: Any], let dtype = fields["dtype"] as? String,
      let shape = fields["shape"] as? [Int], let offsets = fields["data_offsets"] as? [Int],
      offsets.count == 2
    else {
      throw .malformedHeader(
        path: path, reason: "entry '\(name)' lacks dtype, shape or data_offsets")
    }
    guard dtype == "F32" else { throw .unsupportedType(path: path, tensor: name, dtype: dtype) }
    guard shape.count <= rankMax, shape.allSatisfy({ $0 >= 0 && $0 <= dataBytes }) else {
      throw .malformedHeader(path: path, reason: "entry '\(name)' has an invalid shape \(shape)")
    }
    let count = shape.reduce(1) {
      $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1
    }
    guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataBytes,
      count <= dataBytes / 4, offsets[1] - offsets[0] == count * 4
    else {
      throw .malformedHeader(
        path: path, reason: "entry '\(name)' has byte range \(offsets) for shape \(shape)")
    }
    return (name, shape, offsets[0]..<offsets[1])
  }
}

extension ParameterContainer {
  /// Parameters and buffers by name, in the model's order.
  public var namedTensors: [(name: String, tensor: Tensor)] {
    (namedParameters + namedBuffers).map { ($0.name, $0.parameter.value) }
  }

  /// Writes the model as a safetensors file (creating the directory), atomically.
  ///
  /// - Throws: `CheckpointError.nonFinite` when a tensor holds a NaN or an infinity (nothing is
  ///   written), `.unwritable` with the cause in plain words.
  public func saveCheckpoint(
    to path: String, metadata: [String: String] = [:]
  ) throws(CheckpointError) {
    let tensors = namedTensors
    for (name, tensor) in tensors where !tensor.isFinite {
      throw .nonFinite(path: path, tensor: name)
    }
    do {
      try OutputPath.write(Safetensors.encode(tensors, metadata: metadata), to: path)
    } catch {
      throw .unwritable(path: path, reason: error.reason)
    }
  }

  /// Loads every parameter and buffer from a safetensors file; names and shapes must match.
  /// Returns the file's metadata.
  @discardableResult
  public func loadCheckpoint(from path: String) throws -> [String: String] {
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.contents(of: path, bytesMax: Safetensors.fileBytesMax)
    } catch {
      throw CheckpointError.unreadable(path: path, reason: error.reason)
    }
    let (tensors, metadata) = try Safetensors.decode(bytes, path: path)
    let byName = Dictionary(tensors, uniquingKeysWith: { first, _ in first })
    let expected = namedParameters + namedBuffers
    for (name, parameter) in expected {
      guard let tensor = byName[name] else {
        throw CheckpointError.mismatch(path: path, reason: "missing tensor '\(name)'")
      }
      guard tensor.shape == parameter.value.shape else {
        throw CheckpointError.mismatch(
          path: path,
          reason: "'\(name)' has shape \(tensor.shape), model needs \(parameter.value.shape)")
      }
    }
    if let extra = tensors.first(where: { entry in !expected.contains { $0.name == entry.name } }) {
      throw CheckpointError.mismatch(path: path, reason: "unexpected tensor '\(extra.name)'")
    }
    for (name, parameter) in expected { parameter.value = byName[name]! }
    return metadata
  }
}
