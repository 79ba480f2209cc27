import Platform

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Datasets laid out as MNIST is: four IDX files, each optionally gzipped.
///
/// Fashion-MNIST, KMNIST and the original MNIST all ship this way.
public enum MNISTFormat {
  /// Number of classes of MNIST-style datasets.
  public static let classCount = 10
  /// Base names of the four files; each may also carry a `.gz` suffix.
  public static let trainImagesName = "train-images-idx3-ubyte"
  public static let trainLabelsName = "train-labels-idx1-ubyte"
  public static let testImagesName = "t10k-images-idx3-ubyte"
  public static let testLabelsName = "t10k-labels-idx1-ubyte"

  /// Loads the training and test sets from the four IDX files in `directory`.
  ///
  /// Each file is found under its plain name or with `.gz`; the plain one wins when both exist.
  /// Samples are stored as bytes with shape `[rows, columns, 1]`.
  ///
  /// With a `cache`, gzipped files are decompressed once and read from the cache afterwards.
  ///
  /// - Throws: any `DatasetError` of `IDXFile`, `.countMismatch` when a set has not as many
  ///   labels as images, `.labelOutOfRange` for a label of 10 or more, `.emptyDimension` for
  ///   images of no rows or columns, `.shapeMismatch` when training and test images differ in size.
  ///
  /// The header of each file is checked against `memoryBudget` before its elements are read.
  public static func load(
    directory: String, normalization: Normalization = .identity, cache: DecompressedCache? = nil,
    memoryBudget: MemoryBudget = .system()
  ) throws(DatasetError) -> TrainTestSplit {
    let train = try loadSet(
      images: path(directory, trainImagesName), labels: path(directory, trainLabelsName),
      normalization: normalization, cache: cache, memoryBudget: memoryBudget)
    let test = try loadSet(
      images: path(directory, testImagesName), labels: path(directory, testLabelsName),
      normalization: normalization, cache: cache, memoryBudget: memoryBudget)
    guard train.dataset.sampleShape == test.dataset.sampleShape else {
      throw .shapeMismatch(
        path: test.imagesPath, shape: test.dataset.sampleShape, otherPath: train.imagesPath,
        otherShape: train.dataset.sampleShape)
    }
    return TrainTestSplit(train: train.dataset, test: test.dataset)
  }

  /// Loads one set from an images file and a labels file.
  public static func loadSet(
    imagesPath: String, labelsPath: String, normalization: Normalization = .identity,
    cache: DecompressedCache? = nil
  ) throws(DatasetError) -> LabeledDataset {
    try loadSet(
      images: imagesPath, labels: labelsPath, normalization: normalization, cache: cache,
      memoryBudget: .system()
    ).dataset
  }

  private static func loadSet(
    images imagesPath: String, labels labelsPath: String, normalization: Normalization,
    cache: DecompressedCache?, memoryBudget: MemoryBudget
  ) throws(DatasetError) -> (dataset: LabeledDataset, imagesPath: String) {
    let images = try readIDX(imagesPath, IDXFile.imagesMagic, cache, memoryBudget)
    let labels = try readIDX(labelsPath, IDXFile.labelsMagic, cache, memoryBudget)
    guard images.dimensions[0] == labels.dimensions[0] else {
      throw .countMismatch(
        path: imagesPath, count: images.dimensions[0], otherPath: labelsPath,
        otherCount: labels.dimensions[0])
    }
    for axis in 1...2 where images.dimensions[axis] == 0 {
      throw .emptyDimension(path: imagesPath, axis: axis)
    }
    if let index = labels.elements.firstIndex(where: { Int($0) >= classCount }) {
      throw .labelOutOfRange(
        path: labelsPath, index: index, label: Int(labels.elements[index]), classCount: classCount)
    }
    let dataset = LabeledDataset(
      sampleShape: [images.dimensions[1], images.dimensions[2], 1], classCount: classCount,
      labels: labels.elements.map { Int32($0) }, bytes: images.elements,
      normalization: normalization)
    return (dataset, imagesPath)
  }

  private static func readIDX(
    _ path: String, _ magic: UInt32, _ cache: DecompressedCache?, _ memoryBudget: MemoryBudget
  ) throws(DatasetError) -> IDXFile {
    if let cache {
      return try cache.readIDX(path, expectedMagic: magic, memoryBudget: memoryBudget)
    }
    return try IDXFile(contentsOf: path, expectedMagic: magic, memoryBudget: memoryBudget)
  }

  /// `directory/name` when that file exists, otherwise `directory/name.gz`.
  ///
  /// When neither exists the plain name is returned, so that the error names it.
  static func path(_ directory: String, _ name: String) -> String {
    let plain = directory.hasSuffix("/") ? directory + name : directory + "/" + name
    if access(plain, F_OK) == 0 { return plain }
    let compressed = plain + ".gz"
    return access(compressed, F_OK) == 0 ? compressed : plain
  }
}
