/// Data poisoning for attack studies: what a Byzantine trainer does to its own shard.
extension LabeledDataset {
  /// Every label y becomes `classCount - 1 - y` (the label-flipping attack).
  /// - Complexity: O(`count`).
  public func flippingLabels() -> LabeledDataset {
    LabeledDataset(
      sampleShape: sampleShape, classCount: classCount,
      labels: labels.map { Int32(classCount - 1) - $0 }, samples: samples,
      normalization: normalization)
  }

  /// The backdoor trigger: a bright `size` x `size` square in the bottom-right corner of each
  /// image (all channels set to `value`), every label set to `target`. Byte images only.
  /// - Complexity: O(`count` x `size`²).
  public func withTrigger(target: Int32, size: Int = 4, value: UInt8 = 255) -> LabeledDataset {
    precondition(sampleShape.count == 3, "a trigger patch needs images (height, width, channels)")
    precondition((0..<Int32(classCount)).contains(target), "target class out of range")
    guard case .bytes(var bytes) = samples else {
      preconditionFailure("a trigger patch needs byte images")
    }
    let (height, width, channels) = (sampleShape[0], sampleShape[1], sampleShape[2])
    precondition(size >= 1 && size <= min(height, width), "trigger size out of range")
    for sample in 0..<count {
      let base = sample * sampleElementCount
      for row in (height - size)..<height {
        for column in (width - size)..<width {
          for channel in 0..<channels {
            bytes[base + (row * width + column) * channels + channel] = value
          }
        }
      }
    }
    return LabeledDataset(
      sampleShape: sampleShape, classCount: classCount,
      labels: [Int32](repeating: target, count: count), samples: .bytes(bytes),
      normalization: normalization)
  }

  /// The samples of `parts` in order, one dataset (same shape, classes, storage and
  /// normalisation as the first).
  /// - Complexity: O(total samples x `sampleElementCount`).
  public static func concatenating(_ parts: [LabeledDataset]) -> LabeledDataset {
    precondition(!parts.isEmpty, "nothing to concatenate")
    let first = parts[0]
    let samples: Samples
    switch first.samples {
    case .bytes:
      samples = .bytes(
        parts.flatMap { part -> [UInt8] in
          guard case .bytes(let bytes) = part.samples else { preconditionFailure("mixed storage") }
          return bytes
        })
    case .features:
      samples = .features(
        parts.flatMap { part -> [Float] in
          guard case .features(let features) = part.samples else {
            preconditionFailure("mixed storage")
          }
          return features
        })
    }
    return LabeledDataset(
      sampleShape: first.sampleShape, classCount: first.classCount,
      labels: parts.flatMap(\.labels), samples: samples, normalization: first.normalization)
  }

  /// The samples whose label is not `label` (the backdoor's test set excludes the target class).
  /// - Complexity: O(`count` x `sampleElementCount`).
  public func excludingLabel(_ label: Int32) -> LabeledDataset {
    subset(labels.indices.filter { labels[$0] != label })
  }
}
