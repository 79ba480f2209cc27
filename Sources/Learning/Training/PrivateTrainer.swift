import Tensors

/// Differentially private SGD (Abadi et al. 2016): per-example gradients clipped to L2 norm C,
/// summed, Gaussian noise N(0, (σ C)²) added to every coordinate of the sum, and the noisy sum
/// divided by the expected batch size before the optimizer step.
///
/// A step may span several calls of `accumulate` (memory: the batches DP-SGD needs are large);
/// `applyNoisyUpdate` then adds the noise once and steps. The privacy accounting lives in the
/// `Privacy` target: with Poisson sampling at rate q (each example enters a step independently
/// with probability q, so batch sizes vary and the normaliser is the *expected* size qN), each
/// step is one step of the sampled Gaussian mechanism with noise multiplier σ.
///
/// The optimizer sees only the noisy gradient, so momentum, Adam or a learning-rate schedule
/// are post-processing and cost no privacy.
public final class PrivateTrainer {
  public let model: any Layer
  public let optimizer: any Optimizer
  public let baseLearningRate: Float
  public let schedule: LearningRateSchedule
  /// C: the bound on each example's gradient norm.
  public let clipNorm: Float
  /// σ: the noise standard deviation divided by `clipNorm`.
  public let noiseMultiplier: Float
  /// Optimizer steps taken so far.
  public private(set) var step = 0
  /// Counts since the last optimizer step.
  public private(set) var pending = ClippedBatchReport()
  private var noiseGenerator: SeededGenerator
  private let forwardGenerator: SeededGenerator

  /// - Precondition: `learningRate > 0`, `clipNorm > 0`, `noiseMultiplier >= 0`, and the model
  ///   has no batch statistics.
  public init(
    model: any Layer, optimizer: any Optimizer, learningRate: Float,
    schedule: LearningRateSchedule = .constant, clipNorm: Float, noiseMultiplier: Float,
    seed: UInt64 = 0
  ) {
    precondition(learningRate > 0 && clipNorm > 0 && noiseMultiplier >= 0, "DP-SGD settings")
    precondition(model.namedBuffers.isEmpty, "DP-SGD cannot train layers with batch statistics")
    self.model = model
    self.optimizer = optimizer
    self.baseLearningRate = learningRate
    self.schedule = schedule
    self.clipNorm = clipNorm
    self.noiseMultiplier = noiseMultiplier
    let root = SeededGenerator(seed: seed)
    noiseGenerator = root.derived(0x4E01_5E)
    forwardGenerator = root.derived(0xF0_4A4D)
  }

  /// The learning rate the next optimizer step uses.
  public var learningRate: Float { schedule.learningRate(base: baseLearningRate, step: step) }

  /// Adds the clipped per-example gradients of `inputs` to the pending step.
  @discardableResult
  public func accumulate(inputs: Tensor, labels: [Int32]) -> ClippedBatchReport {
    let report = PerExampleClipping.accumulateClippedSum(
      model: model, inputs: inputs, labels: labels, clipNorm: clipNorm,
      generator: forwardGenerator.derived(UInt64(step) << 20 | UInt64(pending.exampleCount)))
    pending.add(report)
    return report
  }

  /// Adds N(0, (σ C)²) to every coordinate of the clipped sum (zero for parameters nothing
  /// reached), divides by `expectedBatchSize` and takes one optimizer step.
  ///
  /// - Parameter expectedBatchSize: qN under Poisson sampling; the batch size with fixed-size
  ///   batches. Dividing by the actual (random) size would make the update's scale depend on
  ///   the data without being accounted for.
  /// - Returns: the counts of the step.
  @discardableResult
  public func applyNoisyUpdate(expectedBatchSize: Double) -> ClippedBatchReport {
    precondition(expectedBatchSize > 0, "expected batch size \(expectedBatchSize)")
    let standardDeviation = noiseMultiplier * clipNorm
    let scale = Float(1 / expectedBatchSize)
    let parameters = model.parameters
    for parameter in parameters {
      var gradient = parameter.gradient ?? Tensor(zeros: parameter.shape)
      gradient.withUnsafeMutableBufferPointer { values in
        for index in 0..<values.count {
          let noise = standardDeviation > 0 ? standardDeviation * noiseGenerator.nextNormal() : 0
          values[index] = (values[index] + noise) * scale
        }
      }
      parameter.gradient = gradient
    }
    optimizer.step(parameters, learningRate: learningRate)
    model.zeroGradients()
    step += 1
    let report = pending
    pending = ClippedBatchReport()
    return report
  }

  /// Loss summed over the batch and the number of correct top-1 predictions, in inference mode.
  public func evaluate(inputs: Tensor, labels: [Int32]) -> (lossSum: Double, correct: Int) {
    evaluateClassifier(model, inputs: inputs, labels: labels)
  }
}
