/// How a stored sample value becomes a network input: `(value - mean) / standardDeviation`, per
/// channel (the last axis of the sample shape).
///
/// For byte samples `value` is `byte / 255`, so the means and deviations are those of pixel
/// intensities in `[0, 1]`, as torchvision's `Normalize` after `ToTensor` expects them.
public struct Normalization: Sendable, Equatable {
  /// One mean for every channel, or one per channel.
  public let means: [Float]
  /// One standard deviation for every channel, or one per channel; all positive.
  public let standardDeviations: [Float]

  /// The same mean and deviation for every channel.
  public init(mean: Float, standardDeviation: Float) {
    self.init(means: [mean], standardDeviations: [standardDeviation])
  }

  /// One mean and one deviation per channel (or a single pair for all channels).
  public init(means: [Float], standardDeviations: [Float]) {
    precondition(!means.isEmpty, "a normalisation needs at least one mean")
    precondition(
      means.count == standardDeviations.count,
      "\(means.count) means but \(standardDeviations.count) standard deviations")
    precondition(
      means.allSatisfy(\.isFinite) && standardDeviations.allSatisfy { $0 > 0 && $0.isFinite },
      "means must be finite and standard deviations finite and positive")
    self.means = means
    self.standardDeviations = standardDeviations
  }

  /// Leaves values as they are (bytes become `byte / 255`).
  public static let identity = Normalization(mean: 0, standardDeviation: 1)

  /// Whether this normalisation leaves values unchanged.
  public var isIdentity: Bool {
    means.allSatisfy { $0 == 0 } && standardDeviations.allSatisfy { $0 == 1 }
  }

  /// Whether this normalisation can apply to samples with `channelCount` channels.
  public func fits(channelCount: Int) -> Bool {
    means.count == 1 || means.count == channelCount
  }

  /// The mean and deviation that apply to `channel`.
  func meanAndDeviation(channel: Int) -> (mean: Float, standardDeviation: Float) {
    let index = means.count == 1 ? 0 : channel
    return (means[index], standardDeviations[index])
  }

  /// For every channel, the input each byte value maps to: entry `channel * 256 + byte`.
  ///
  /// Computed in the order of the reference formula `(byte / 255 - mean) / deviation`, so the
  /// inputs equal those of the PyTorch reference bit for bit.
  func byteTable(channelCount: Int) -> [Float] {
    var table = [Float](repeating: 0, count: channelCount * 256)
    for channel in 0..<channelCount {
      let (mean, deviation) = meanAndDeviation(channel: channel)
      for byte in 0..<256 {
        table[channel * 256 + byte] = (Float(byte) / 255 - mean) / deviation
      }
    }
    return table
  }
}
