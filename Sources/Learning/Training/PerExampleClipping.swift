import Tensors

/// What one call of `PerExampleClipping.accumulateClippedSum` did.
public struct ClippedBatchReport: Sendable, Equatable {
  /// The sum of the examples' losses.
  public var lossSum: Double = 0
  /// Examples processed.
  public var exampleCount = 0
  /// Examples whose gradient norm exceeded the clipping norm.
  public var clippedCount = 0
  /// Whether the examples ran one by one, because some parameter's gradient could not be split
  /// by example on one tape (a parameter used outside `linear` and `conv2d`).
  public var usedMicroBatches = false

  public init() {}

  /// Adds another report's counts into this one.
  public mutating func add(_ other: ClippedBatchReport) {
    lossSum += other.lossSum
    exampleCount += other.exampleCount
    clippedCount += other.clippedCount
    usedMicroBatches = usedMicroBatches || other.usedMicroBatches
  }
}

/// The clipped sum of per-example gradients that DP-SGD needs (Abadi et al. 2016):
/// `Σ_i min(1, C / ‖g_i‖) g_i`, where g_i is example i's gradient over all parameters.
///
/// One forward and one backward pass over the batch on a per-example tape give, for every
/// `Linear` and `Conv2D` parameter, the factors of its per-example gradients (see
/// `PerExampleGradient`): a linear layer's norms cost O(B × (in + out)) and its clipped sum is
/// one GEMM; a convolution's per-example weight gradients come from im2col per image. Any other
/// use of a parameter (layer norm scales, embeddings, a weight shared through other operations)
/// cannot be split on one tape; the batch then runs one example at a time, which is exact and
/// slower.
public enum PerExampleClipping {
  /// Added to each norm before dividing, as Opacus does, so a zero gradient divides safely.
  public static let normEpsilon: Float = 1e-6

  /// Adds the clipped per-example gradient sum of a batch into every parameter's `gradient`.
  ///
  /// The loss is softmax cross-entropy; each example's gradient is that of its own loss.
  ///
  /// - Precondition: the model has no batch statistics (`BatchNorm2D`): they mix examples, so
  ///   no per-example gradient exists. `clipNorm > 0`.
  /// - Complexity: about one training step on the batch, plus O(B × parameters) for
  ///   convolutions and parameters outside linear layers.
  public static func accumulateClippedSum(
    model: any Layer, inputs: Tensor, labels: [Int32], clipNorm: Float,
    generator: SeededGenerator = SeededGenerator(seed: 0)
  ) -> ClippedBatchReport {
    precondition(clipNorm > 0, "clipping norm \(clipNorm) must be positive")
    precondition(
      model.namedBuffers.isEmpty, "DP-SGD needs per-example gradients; batch statistics mix them")
    guard !labels.isEmpty else { return ClippedBatchReport() }
    if let report = factoredClippedSum(model, inputs, labels, clipNorm, generator) {
      return report
    }
    return microBatchedClippedSum(model, inputs, labels, clipNorm, generator)
  }

  /// One per-example tape over the whole batch; `nil` when some parameter could not be split.
  private static func factoredClippedSum(
    _ model: any Layer, _ inputs: Tensor, _ labels: [Int32], _ clipNorm: Float,
    _ generator: SeededGenerator
  ) -> ClippedBatchReport? {
    let batchSize = labels.count
    let tape = Tape(mode: .training, generator: generator, perExampleBatchSize: batchSize)
    let loss = model(tape.constant(inputs)).softmaxCrossEntropy(labels: labels)
    // The loss is the batch mean: seeding with B makes each row of δ example i's own gradient.
    tape.backward(from: loss, seed: Tensor(scalar: Float(batchSize)))
    guard !tape.hasUnsplitParameterGradient else { return nil }
    var grouped: [ObjectIdentifier: (parameter: Parameter, gradients: [PerExampleGradient])] = [:]
    var order: [ObjectIdentifier] = []
    for (parameter, gradient) in tape.perExampleGradients {
      let key = ObjectIdentifier(parameter)
      if grouped[key] == nil { order.append(key) }
      grouped[key, default: (parameter, [])].gradients.append(gradient)
    }
    var totalSquaredNorms = [Double](repeating: 0, count: batchSize)
    for key in order {
      let norms = squaredNorms(of: grouped[key]!.gradients, batchSize: batchSize)
      for example in 0..<batchSize { totalSquaredNorms[example] += norms[example] }
    }
    let (scales, clippedCount) = clippingScales(totalSquaredNorms, clipNorm: clipNorm)
    for key in order {
      let (parameter, gradients) = grouped[key]!
      for gradient in gradients {
        parameter.accumulateGradient(gradient.scaledSum(scales, shape: parameter.shape))
      }
    }
    var report = ClippedBatchReport()
    report.lossSum = Double(loss.value.scalar) * Double(batchSize)
    report.exampleCount = batchSize
    report.clippedCount = clippedCount
    return report
  }

  /// Per-example squared norms of one parameter's gradient, summed over the rules that gave it
  /// one (a parameter used twice needs its contributions added before the norm is taken).
  private static func squaredNorms(of gradients: [PerExampleGradient], batchSize: Int)
    -> [Double]
  {
    if gradients.count == 1 { return gradients[0].squaredNorms(batchSize: batchSize) }
    var total = gradients[0].dense(batchSize: batchSize)
    for gradient in gradients.dropFirst() { total.add(gradient.dense(batchSize: batchSize)) }
    return PerExampleGradient.rowSquaredNorms(total)
  }

  /// Relative margin taken off each clipping scale, so that a clipped gradient's norm stays
  /// within C after `Float` rounding of its elements (about 6e-8 relative each).
  public static let scaleMargin = 1e-5

  /// min(1, C / (‖g_i‖ + `normEpsilon`)) for each example (lowered by `scaleMargin` when
  /// below 1), and how many are below 1.
  static func clippingScales(_ squaredNorms: [Double], clipNorm: Float) -> ([Float], Int) {
    var clippedCount = 0
    let scales = squaredNorms.map { squaredNorm -> Float in
      let norm = squaredNorm.squareRoot()
      guard norm > Double(clipNorm) else { return 1 }
      clippedCount += 1
      return Float(Double(clipNorm) / (norm + Double(normEpsilon)) * (1 - scaleMargin))
    }
    return (scales, clippedCount)
  }

  /// The exact fallback: one ordinary tape per example.
  private static func microBatchedClippedSum(
    _ model: any Layer, _ inputs: Tensor, _ labels: [Int32], _ clipNorm: Float,
    _ generator: SeededGenerator
  ) -> ClippedBatchReport {
    let parameters = model.parameters
    let sums = parameters.map { $0.gradient }
    let exampleShape = [1] + inputs.shape.dropFirst()
    let exampleCount = inputs.count / labels.count
    var report = ClippedBatchReport()
    report.usedMicroBatches = true
    var clippedSums = parameters.map { Tensor(zeros: $0.shape) }
    for example in 0..<labels.count {
      model.zeroGradients()
      let single = Tensor(shape: exampleShape) { target in
        inputs.withUnsafeBufferPointer { source in
          target.baseAddress!.update(
            from: source.baseAddress! + example * exampleCount, count: exampleCount)
        }
      }
      let tape = Tape(mode: .training, generator: generator.derived(UInt64(example)))
      let loss = model(tape.constant(single)).softmaxCrossEntropy(labels: [labels[example]])
      tape.backward(from: loss)
      report.lossSum += Double(loss.value.scalar)
      let squaredNorm = parameters.reduce(0.0) {
        $0
          + PerExampleGradient.rowSquaredNorms(
            ($1.gradient ?? Tensor(zeros: [1])).reshaped([1, -1]))[0]
      }
      let (scales, clipped) = clippingScales([squaredNorm], clipNorm: clipNorm)
      report.clippedCount += clipped
      for (index, parameter) in parameters.enumerated() {
        if let gradient = parameter.gradient {
          clippedSums[index].add(gradient, scaledBy: scales[0])
        }
      }
    }
    for (index, parameter) in parameters.enumerated() {
      parameter.gradient = sums[index]
      parameter.accumulateGradient(clippedSums[index])
    }
    report.exampleCount = labels.count
    return report
  }
}
