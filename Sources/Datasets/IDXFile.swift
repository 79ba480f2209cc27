import Platform

/// An IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST.
///
/// Layout: a big-endian magic number `0x0000TTNN` (type `TT`, here always `0x08` for unsigned
/// bytes, and `NN` dimensions), `NN` big-endian 32-bit dimension sizes, then the elements in
/// row-major order. Gzip-compressed files are read transparently.
public struct IDXFile: Sendable, Equatable {
  /// Magic number of a file of unsigned-byte images (three dimensions: count, rows, columns).
  public static let imagesMagic: UInt32 = 0x0000_0803
  /// Magic number of a file of unsigned-byte labels (one dimension: count).
  public static let labelsMagic: UInt32 = 0x0000_0801
  /// Largest accepted size of one dimension.
  public static let idxDimensionSizeMax = 1 << 24
  /// Largest accepted number of elements (bytes) in one file: 1 GiB.
  public static let idxElementCountMax = 1 << 30
  /// Bytes of the magic number and of each dimension size.
  static let headerFieldBytes = 4

  /// The magic number the file starts with.
  public let magic: UInt32
  /// Size of each dimension, outermost first.
  public let dimensions: [Int]
  /// The elements, row-major.
  public let elements: [UInt8]

  /// Reads the IDX file at `path`, which must start with `expectedMagic`.
  ///
  /// The elements are read (or inflated) straight into the array that `elements` holds.
  ///
  /// - Throws: `DatasetError.fileMissing`, `.unreadable`, `.badMagic`, `.dimensionTooLarge`,
  ///   `.tooManyElements`, `.truncated`, `.tooLong` or `.corruptGzip`.
  ///   With a `memoryBudget` (the machine's by default), a header whose elements would not fit is
  ///   refused with `.memory` before anything is allocated.
  public init(
    contentsOf path: String, expectedMagic: UInt32, memoryBudget: MemoryBudget = .system()
  ) throws(DatasetError) {
    let stream = try ByteStream(path: path)
    let magic = try Self.readBigEndianWord(stream, expectedTotal: Self.headerFieldBytes)
    guard magic == expectedMagic else {
      throw .badMagic(path: path, found: magic, expected: expectedMagic)
    }
    let dimensionCount = Int(magic & 0xFF)
    let headerBytes = Self.headerFieldBytes * (1 + dimensionCount)
    var dimensions: [Int] = []
    var elementCount = 1
    for axis in 0..<dimensionCount {
      let size = Int(try Self.readBigEndianWord(stream, expectedTotal: headerBytes))
      guard size <= Self.idxDimensionSizeMax else {
        throw .dimensionTooLarge(
          path: path, axis: axis, size: size, limit: Self.idxDimensionSizeMax)
      }
      elementCount *= size
      guard elementCount <= Self.idxElementCountMax else {
        throw .tooManyElements(path: path, limit: Self.idxElementCountMax)
      }
      dimensions.append(size)
    }
    var estimate = MemoryEstimate(
      purpose: "reading it", hint: "its header declares dimensions \(dimensions)")
    estimate.add("elements", count: elementCount, bytesPerElement: 1)
    do {
      try memoryBudget.check(estimate)
    } catch {
      throw .memory(path: path, reason: error.description)
    }
    self.magic = magic
    self.dimensions = dimensions
    self.elements = try stream.readToEnd(exactly: elementCount)
  }

  /// An IDX file held in memory, for example to write with `encoded()`.
  public init(magic: UInt32, dimensions: [Int], elements: [UInt8]) {
    precondition(magic >> 8 == 0x08, "only unsigned-byte IDX files are supported")
    precondition(
      dimensions.allSatisfy { $0 >= 0 && $0 <= Self.idxDimensionSizeMax },
      "dimension sizes \(dimensions) outside 0...\(Self.idxDimensionSizeMax)")
    precondition(Int(magic & 0xFF) == dimensions.count, "magic \(magic) vs \(dimensions)")
    precondition(
      dimensions.reduce(1, *) == elements.count, "\(elements.count) elements for \(dimensions)")
    self.magic = magic
    self.dimensions = dimensions
    self.elements = elements
  }

  /// The file's bytes: header and elements, uncompressed.
  public func encoded() -> [UInt8] {
    header() + elements
  }

  /// The magic number and the dimension sizes, big-endian.
  func header() -> [UInt8] {
    var bytes: [UInt8] = []
    for word in [magic] + dimensions.map({ UInt32($0) }) {
      bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: word >> $0) }
    }
    return bytes
  }

  /// Reads a big-endian 32-bit word; `expectedTotal` is the header size reported on truncation.
  private static func readBigEndianWord(
    _ stream: ByteStream, expectedTotal: Int
  ) throws(DatasetError) -> UInt32 {
    var word: UInt32 = 0
    let count = try withUnsafeMutableBytes(of: &word) { bytes throws(DatasetError) in
      try stream.read(into: bytes)
    }
    guard count == 4 else {
      throw .truncated(
        path: stream.path, expectedBytes: expectedTotal, actualBytes: stream.position)
    }
    return UInt32(bigEndian: word)
  }
}
