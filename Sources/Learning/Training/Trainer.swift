import Tensors

/// Runs training steps on a model: forward, backward, gradient accumulation, clipping, the
/// learning-rate schedule and the optimizer update.
///
/// Each micro-batch's tape is released before the optimizer runs, so parameters are updated in
/// place (no copy-on-write) and every intermediate buffer returns to the pool.
public final class Trainer {
  public let model: any Layer
  public let optimizer: any Optimizer
  public let baseLearningRate: Float
  public let schedule: LearningRateSchedule
  public let gradientClipNorm: Float?
  public let accumulationSteps: Int
  /// Optimizer steps taken so far.
  public private(set) var step = 0
  private var pendingMicroBatches = 0
  private var generator: SeededGenerator

  public init(
    model: any Layer, optimizer: any Optimizer, learningRate: Float,
    schedule: LearningRateSchedule = .constant, gradientClipNorm: Float? = nil,
    accumulationSteps: Int = 1, seed: UInt64 = 0
  ) {
    precondition(learningRate > 0 && accumulationSteps >= 1, "trainer settings")
    self.model = model
    self.optimizer = optimizer
    self.baseLearningRate = learningRate
    self.schedule = schedule
    self.gradientClipNorm = gradientClipNorm
    self.accumulationSteps = accumulationSteps
    self.generator = SeededGenerator(seed: seed)
  }

  /// The learning rate the next optimizer step uses.
  public var learningRate: Float { schedule.learningRate(base: baseLearningRate, step: step) }

  /// Trains on one micro-batch and returns its mean loss. Every `accumulationSteps` calls, the
  /// averaged gradients update the parameters.
  @discardableResult
  public func train(inputs: Tensor, labels: [Int32]) -> Float {
    let loss = backpropagate(inputs: inputs, labels: labels)
    pendingMicroBatches += 1
    if pendingMicroBatches == accumulationSteps { applyUpdate() }
    return loss
  }

  private func backpropagate(inputs: Tensor, labels: [Int32]) -> Float {
    let tape = Tape(
      mode: .training,
      generator: generator.derived(UInt64(step * accumulationSteps + pendingMicroBatches)))
    let loss = model(tape.constant(inputs)).softmaxCrossEntropy(labels: labels)
    let seed = Tensor(scalar: 1 / Float(accumulationSteps))
    tape.backward(from: loss, seed: seed)
    return loss.value.scalar
  }

  private func applyUpdate() {
    let parameters = model.parameters
    if let gradientClipNorm { clipGradients(parameters, toGlobalNorm: gradientClipNorm) }
    optimizer.step(parameters, learningRate: learningRate)
    model.zeroGradients()
    pendingMicroBatches = 0
    step += 1
  }

  /// Loss summed over the batch and the number of correct top-1 predictions, in inference mode.
  public func evaluate(inputs: Tensor, labels: [Int32]) -> (lossSum: Double, correct: Int) {
    evaluateClassifier(model, inputs: inputs, labels: labels)
  }
}

/// Loss summed over the batch and the number of correct top-1 predictions, in inference mode.
func evaluateClassifier(_ model: any Layer, inputs: Tensor, labels: [Int32]) -> (
  lossSum: Double, correct: Int
) {
  let tape = Tape(mode: .inference)
  let logits = model(tape.constant(inputs))
  let loss = logits.softmaxCrossEntropy(labels: labels).value.scalar
  let predictions = logits.value.argmaxLastAxis()
  let correct = zip(predictions, labels).filter { $0 == Int($1) }.count
  return (Double(loss) * Double(labels.count), correct)
}
