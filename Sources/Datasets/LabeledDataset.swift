import Tensors

/// Samples with one class label each, stored compactly and turned into input tensors per batch.
///
/// Image sets keep their raw bytes (Fashion-MNIST's 60,000 training images take 47 MB instead of
/// 188 MB of floats) and apply `normalization` while a batch is built; feature sets (CSV,
/// synthetic) keep `Float` values. Samples are laid out as `sampleShape` in row-major order, with
/// channels on the last axis (HWC for images), so a batch is NHWC.
public struct LabeledDataset: Sendable {
  /// The stored samples: bytes (images) or floats (features).
  enum Samples: Sendable {
    case bytes([UInt8])
    case features([Float])
  }

  /// Shape of one sample, for example `[28, 28, 1]` (height, width, channels) or `[4]`.
  public let sampleShape: [Int]
  /// Number of classes; every label lies in `0..<classCount`.
  public let classCount: Int
  /// The label of each sample.
  public let labels: [Int32]
  /// How stored values become inputs; set it to change what `batch` produces.
  ///
  /// Must hold one mean for all channels or one per channel (the last axis of `sampleShape`).
  public var normalization: Normalization {
    didSet {
      precondition(
        normalization.fits(channelCount: channelCount),
        "a normalisation for \(normalization.means.count) channels does not fit \(channelCount)")
      byteTable = Self.byteTable(samples, normalization, channelCount)
    }
  }
  /// Number of scalars in one sample.
  public let sampleElementCount: Int
  let samples: Samples
  /// Input value of each byte per channel (`channel * 256 + byte`); empty for feature samples.
  private var byteTable: [Float]

  /// A dataset of byte samples (pixel intensities), `sampleElementCount` bytes per label.
  public init(
    sampleShape: [Int], classCount: Int, labels: [Int32], bytes: [UInt8],
    normalization: Normalization = .identity
  ) {
    self.init(
      sampleShape: sampleShape, classCount: classCount, labels: labels, samples: .bytes(bytes),
      normalization: normalization)
  }

  /// A dataset of float feature samples, `sampleElementCount` values per label.
  public init(
    sampleShape: [Int], classCount: Int, labels: [Int32], features: [Float],
    normalization: Normalization = .identity
  ) {
    self.init(
      sampleShape: sampleShape, classCount: classCount, labels: labels,
      samples: .features(features), normalization: normalization)
  }

  init(
    sampleShape: [Int], classCount: Int, labels: [Int32], samples: Samples,
    normalization: Normalization
  ) {
    precondition(
      !sampleShape.isEmpty && sampleShape.allSatisfy { $0 > 0 },
      "sample shape \(sampleShape) must have positive dimensions")
    precondition(classCount >= 1, "class count \(classCount) must be positive")
    precondition(
      labels.allSatisfy { $0 >= 0 && Int($0) < classCount }, "a label is outside 0..<\(classCount)")
    let elementCount = sampleShape.reduce(1, *)
    let storedCount: Int
    switch samples {
    case .bytes(let bytes): storedCount = bytes.count
    case .features(let features): storedCount = features.count
    }
    precondition(
      storedCount == labels.count * elementCount,
      "\(storedCount) stored values are not \(labels.count) samples of shape \(sampleShape)")
    let channelCount = sampleShape[sampleShape.count - 1]
    precondition(
      normalization.fits(channelCount: channelCount),
      "a normalisation for \(normalization.means.count) channels does not fit \(channelCount)")
    self.sampleShape = sampleShape
    self.classCount = classCount
    self.labels = labels
    self.samples = samples
    self.sampleElementCount = elementCount
    self.normalization = normalization
    self.byteTable = Self.byteTable(samples, normalization, channelCount)
  }

  private static func byteTable(
    _ samples: Samples, _ normalization: Normalization, _ channelCount: Int
  ) -> [Float] {
    guard case .bytes = samples else { return [] }
    return normalization.byteTable(channelCount: channelCount)
  }

  /// Number of samples.
  public var count: Int { labels.count }

  /// Number of channels: the size of the last axis of `sampleShape`.
  public var channelCount: Int { sampleShape[sampleShape.count - 1] }

  /// Whether samples are stored as bytes (images) rather than floats.
  public var isByteStorage: Bool {
    if case .bytes = samples { return true }
    return false
  }

  /// Memory taken by the stored samples, in bytes.
  public var sampleStorageBytes: Int {
    switch samples {
    case .bytes(let bytes): return bytes.count
    case .features(let features): return features.count * MemoryLayout<Float>.stride
    }
  }

  /// The normalised inputs and the labels of the samples at `indices`, in that order.
  ///
  /// The inputs have shape `[indices.count] + sampleShape`. Runs every training step, so it
  /// writes straight into the tensor's memory: one table look-up per byte sample value.
  ///
  /// - Complexity: O(`indices.count` × `sampleElementCount`).
  public func batch<C: Collection>(_ indices: C) -> (inputs: Tensor, labels: [Int32])
  where C.Element == Int {
    let batchCount = indices.count
    var batchLabels: [Int32] = []
    batchLabels.reserveCapacity(batchCount)
    let inputs = Tensor(shape: [batchCount] + sampleShape) { output in
      var written = 0
      for index in indices {
        precondition(index >= 0 && index < count, "sample index \(index) outside 0..<\(count)")
        precondition(written < batchCount, "the collection holds more than its count")
        batchLabels.append(labels[index])
        writeSample(index, to: output.baseAddress! + written * sampleElementCount)
        written += 1
      }
      precondition(written == batchCount, "the collection holds fewer than its count")
    }
    return (inputs, batchLabels)
  }

  /// Writes the normalised sample `index` to `sampleElementCount` floats at `output`.
  private func writeSample(_ index: Int, to output: UnsafeMutablePointer<Float>) {
    let start = index * sampleElementCount
    switch samples {
    case .bytes(let bytes):
      bytes.withUnsafeBufferPointer { stored in
        byteTable.withUnsafeBufferPointer { table in
          Self.lookUp(stored.baseAddress! + start, sampleElementCount, channelCount, table, output)
        }
      }
    case .features(let features):
      features.withUnsafeBufferPointer { stored in
        Self.normalize(stored.baseAddress! + start, sampleElementCount, normalization, output)
      }
    }
  }

  private static func lookUp(
    _ source: UnsafePointer<UInt8>, _ count: Int, _ channelCount: Int,
    _ table: UnsafeBufferPointer<Float>, _ output: UnsafeMutablePointer<Float>
  ) {
    if channelCount == 1 {
      for element in 0..<count { output[element] = table[Int(source[element])] }
      return
    }
    var element = 0
    while element < count {
      for channel in 0..<channelCount {
        output[element + channel] = table[channel &* 256 &+ Int(source[element + channel])]
      }
      element += channelCount
    }
  }

  private static func normalize(
    _ source: UnsafePointer<Float>, _ count: Int, _ normalization: Normalization,
    _ output: UnsafeMutablePointer<Float>
  ) {
    if normalization.isIdentity {
      output.update(from: source, count: count)
      return
    }
    let channelCount = normalization.means.count == 1 ? 1 : normalization.means.count
    for channel in 0..<channelCount {
      let (mean, deviation) = normalization.meanAndDeviation(channel: channel)
      var element = channel
      while element < count {
        output[element] = (source[element] - mean) / deviation
        element += channelCount
      }
    }
  }

  /// The samples at `indices`, in that order, with the same shape, classes and normalisation.
  ///
  /// - Complexity: O(`indices.count` × `sampleElementCount`).
  public func subset(_ indices: [Int]) -> LabeledDataset {
    for index in indices {
      precondition(index >= 0 && index < count, "sample index \(index) outside 0..<\(count)")
    }
    let subsetLabels = indices.map { labels[$0] }
    let subsetSamples: Samples
    switch samples {
    case .bytes(let bytes): subsetSamples = .bytes(gather(bytes, indices))
    case .features(let features): subsetSamples = .features(gather(features, indices))
    }
    return LabeledDataset(
      sampleShape: sampleShape, classCount: classCount, labels: subsetLabels,
      samples: subsetSamples, normalization: normalization)
  }

  private func gather<Element>(_ stored: [Element], _ indices: [Int]) -> [Element] {
    var gathered: [Element] = []
    gathered.reserveCapacity(indices.count * sampleElementCount)
    for index in indices {
      let start = index * sampleElementCount
      gathered.append(contentsOf: stored[start..<start + sampleElementCount])
    }
    return gathered
  }

  /// The first `maximumCount` samples (all of them when there are fewer).
  public func prefix(_ maximumCount: Int) -> LabeledDataset {
    precondition(maximumCount >= 0, "negative prefix length \(maximumCount)")
    return subset(Array(0..<min(maximumCount, count)))
  }

  /// Number of samples of each class, indexed by label.
  ///
  /// - Complexity: O(`count`).
  public func labelCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }

  /// The normalisation that maps the stored values of each channel to mean 0 and deviation 1.
  ///
  /// Useful for CSV features of very different scales. A channel whose values are all equal
  /// gets deviation 1 so that it maps to zero instead of dividing by zero.
  ///
  /// - Complexity: O(`count` × `sampleElementCount`).
  public func fittedNormalization() -> Normalization {
    var sums = [Double](repeating: 0, count: channelCount)
    var squareSums = [Double](repeating: 0, count: channelCount)
    switch samples {
    case .bytes(let bytes):
      // Counting byte values per channel keeps the pass cheap and the sums exact.
      var histogram = [Int](repeating: 0, count: channelCount * 256)
      histogram.withUnsafeMutableBufferPointer { counts in
        bytes.withUnsafeBufferPointer { stored in
          let counts = counts.baseAddress!
          let stored = stored.baseAddress!
          var element = 0
          var channel = 0
          while element < bytes.count {
            counts[channel &* 256 &+ Int(stored[element])] &+= 1
            element &+= 1
            channel &+= 1
            if channel == channelCount { channel = 0 }
          }
        }
      }
      for channel in 0..<channelCount {
        for byte in 0..<256 {
          let value = Double(byte) / 255
          let occurrences = Double(histogram[channel * 256 + byte])
          sums[channel] += occurrences * value
          squareSums[channel] += occurrences * value * value
        }
      }
    case .features(let features):
      for (element, value) in features.enumerated() {
        sums[element % channelCount] += Double(value)
        squareSums[element % channelCount] += Double(value) * Double(value)
      }
    }
    let valuesPerChannel = Double(max(1, count * sampleElementCount / channelCount))
    var means: [Float] = []
    var deviations: [Float] = []
    for channel in 0..<channelCount {
      let mean = sums[channel] / valuesPerChannel
      let variance = max(0, squareSums[channel] / valuesPerChannel - mean * mean)
      let deviation = Float(variance.squareRoot())
      means.append(Float(mean))
      deviations.append(deviation > 0 && deviation.isFinite ? deviation : 1)
    }
    return Normalization(means: means, standardDeviations: deviations)
  }
}

/// A training set and a test set of the same kind of samples.
public struct TrainTestSplit: Sendable {
  /// The samples to train on.
  public var train: LabeledDataset
  /// The held-out samples to evaluate on.
  public var test: LabeledDataset

  public init(train: LabeledDataset, test: LabeledDataset) {
    self.train = train
    self.test = test
  }
}
