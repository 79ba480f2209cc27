/// CIFAR-10 in its binary version: 32×32 colour images in ten classes.
///
/// Each file is a sequence of 3,073-byte records: one label byte, then 3,072 pixel bytes as three
/// 32×32 planes (red, green, blue), which the reader reorders to HWC (`[32, 32, 3]`) because
/// Starling's images are NHWC.
public enum CIFAR10 {
  /// Number of classes.
  public static let classCount = 10
  /// Height and width of an image.
  public static let imageSide = 32
  /// Colour channels of an image.
  public static let channelCount = 3
  /// Bytes of one pixel plane.
  public static let planeBytes = imageSide * imageSide
  /// Bytes of one record: the label byte and three planes.
  public static let recordBytes = 1 + channelCount * planeBytes
  /// Largest accepted file: 256 MiB (a real batch file is 30,730,000 bytes).
  public static let fileBytesMax = 1 << 28
  /// The five training files.
  public static let trainFileNames = (1...5).map { "data_batch_\($0).bin" }
  /// The test file.
  public static let testFileName = "test_batch.bin"
  /// Per-channel mean and standard deviation of the training pixels (red, green, blue).
  public static let normalization = Normalization(
    means: [0.4914, 0.4822, 0.4465], standardDeviations: [0.2470, 0.2435, 0.2616])
  /// Class names, indexed by label.
  public static let classNames = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
  ]

  /// Loads the five training files and the test file from `directory` (for example the
  /// `cifar-10-batches-bin` folder of the official archive), normalised per channel.
  ///
  /// - Throws: any error of `readBatch(path:)`.
  public static func load(directory: String) throws(DatasetError) -> TrainTestSplit {
    let base = directory.hasSuffix("/") ? directory : directory + "/"
    return TrainTestSplit(
      train: try loadSet(paths: trainFileNames.map { base + $0 }),
      test: try loadSet(paths: [base + testFileName]))
  }

  /// The records of the files at `paths`, in order, as one dataset of shape `[32, 32, 3]`.
  public static func loadSet(
    paths: [String], normalization: Normalization = normalization
  ) throws(DatasetError) -> LabeledDataset {
    var images: [UInt8] = []
    var labels: [Int32] = []
    for path in paths {
      let batch = try readBatch(path: path)
      if images.isEmpty {
        // Official batch files are all the same size: reserving for all of them at once keeps
        // the peak near the final size instead of the doubling growth's twice that.
        images.reserveCapacity(batch.images.count * paths.count)
        labels.reserveCapacity(batch.labels.count * paths.count)
      }
      images += batch.images
      labels += batch.labels
    }
    return LabeledDataset(
      sampleShape: [imageSide, imageSide, channelCount], classCount: classCount, labels: labels,
      bytes: images, normalization: normalization)
  }

  /// Reads one batch file: images as HWC bytes, one after the other, and their labels.
  ///
  /// - Throws: `DatasetError.fileMissing`, `.unreadable`, `.fileTooLarge`, `.corruptGzip`,
  ///   `.partialRecord` when the size is not a multiple of 3,073 bytes, `.labelOutOfRange`.
  public static func readBatch(
    path: String
  ) throws(DatasetError) -> (images: [UInt8], labels: [Int32]) {
    let records = try ByteStream(path: path).readToEnd(limit: fileBytesMax)
    guard records.count % recordBytes == 0 else {
      throw .partialRecord(path: path, bytes: records.count, recordBytes: recordBytes)
    }
    let recordCount = records.count / recordBytes
    var labels: [Int32] = []
    labels.reserveCapacity(recordCount)
    for record in 0..<recordCount {
      let label = Int(records[record * recordBytes])
      guard label < classCount else {
        throw .labelOutOfRange(path: path, index: record, label: label, classCount: classCount)
      }
      labels.append(Int32(label))
    }
    let images = [UInt8](unsafeUninitializedCapacity: recordCount * (recordBytes - 1)) {
      output, initializedCount in
      records.withUnsafeBufferPointer { input in
        for record in 0..<recordCount {
          planesToInterleaved(
            input.baseAddress! + record * recordBytes + 1,
            output.baseAddress! + record * (recordBytes - 1))
        }
      }
      initializedCount = output.count
    }
    return (images, labels)
  }

  /// Reorders one image from three planes (CHW) to interleaved pixels (HWC).
  private static func planesToInterleaved(
    _ planes: UnsafePointer<UInt8>, _ pixels: UnsafeMutablePointer<UInt8>
  ) {
    for position in 0..<planeBytes {
      for channel in 0..<channelCount {
        pixels[position * channelCount + channel] = planes[channel * planeBytes + position]
      }
    }
  }
}
