import Learning
import Tensors
import Testing

/// Optimizers against trajectories computed with PyTorch 2.x (`torch.optim`), three steps from
/// w = [1, -2, 0.5] with gradients [.1, .2, -.3], [-.4, .5, .6], [.7, -.8, .9].
struct OptimizerTests {
  static let gradients: [[Float]] = [[0.1, 0.2, -0.3], [-0.4, 0.5, 0.6], [0.7, -0.8, 0.9]]

  func run(_ optimizer: any Optimizer, learningRate: Float) -> [Float] {
    let parameter = Parameter(Tensor([1, -2, 0.5]))
    for gradient in Self.gradients {
      parameter.gradient = Tensor(gradient)
      optimizer.step([parameter], learningRate: learningRate)
    }
    return parameter.value.scalars
  }

  func expectClose(
    _ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation
  ) {
    for (a, e) in zip(actual, expected) {
      #expect(abs(a - e) < 2e-6, "\(actual) vs PyTorch \(expected)", sourceLocation: sourceLocation)
    }
  }

  @Test func plainSGDMatchesPyTorch() {
    expectClose(run(SGD(), learningRate: 0.1), [0.96, -1.9899999, 0.38])
  }

  @Test func momentumSGDMatchesPyTorch() {
    expectClose(run(SGD(momentum: 0.9), learningRate: 0.1), [0.9789, -2.0692, 0.3773])
  }

  @Test func nesterovWithWeightDecayMatchesPyTorch() {
    expectClose(
      run(SGD(momentum: 0.9, nesterov: true, weightDecay: 0.01), learningRate: 0.1),
      [0.9329334, -2.0358233, 0.2654603])
  }

  @Test func adamMatchesPyTorch() {
    expectClose(run(Adam(), learningRate: 0.01), [0.9922842, -2.0181515, 0.4995254])
  }

  @Test func adamWithL2DecayMatchesPyTorch() {
    expectClose(
      run(Adam(weightDecay: 0.1), learningRate: 0.01), [0.9874637, -2.0029728, 0.4982243])
  }

  @Test func adamWMatchesPyTorch() {
    expectClose(
      run(Adam.adamW(weightDecay: 0.1), learningRate: 0.01), [0.9893016, -2.0121284, 0.4980106])
  }

  @Test func parametersWithoutGradientAreLeftAlone() {
    let parameter = Parameter(Tensor([1, 2]))
    SGD(momentum: 0.9).step([parameter], learningRate: 1)
    #expect(parameter.value.scalars == [1, 2])
  }

  @Test func stepScheduleMatchesPyTorchStepLR() {
    let schedule = LearningRateSchedule.step(stepSize: 2, gamma: 0.5)
    let rates = (0..<5).map { schedule.learningRate(base: 0.1, step: $0) }
    expectClose(rates, [0.1, 0.1, 0.05, 0.05, 0.025])
  }

  @Test func cosineScheduleWarmsUpThenDecaysToTheMinimum() {
    let schedule = LearningRateSchedule.cosine(totalSteps: 110, warmupSteps: 10, minimum: 0.001)
    #expect(abs(schedule.learningRate(base: 0.1, step: 0) - 0.01) < 1e-7)
    #expect(abs(schedule.learningRate(base: 0.1, step: 9) - 0.1) < 1e-7)
    #expect(abs(schedule.learningRate(base: 0.1, step: 10) - 0.1) < 1e-7)
    #expect(abs(schedule.learningRate(base: 0.1, step: 60) - 0.0505) < 1e-6)
    #expect(abs(schedule.learningRate(base: 0.1, step: 110) - 0.001) < 1e-7)
    #expect(abs(schedule.learningRate(base: 0.1, step: 500) - 0.001) < 1e-7)
  }

  @Test func warmupPrecedesAnySchedule() {
    let schedule = LearningRateSchedule.warmup(steps: 4, then: .step(stepSize: 2, gamma: 0.1))
    let rates = (0..<8).map { schedule.learningRate(base: 1, step: $0) }
    expectClose(rates, [0.25, 0.5, 0.75, 1, 1, 1, 0.1, 0.1])
  }

  @Test func globalNormClippingMatchesPyTorch() {
    let first = Parameter(Tensor(zeros: [2]))
    let second = Parameter(Tensor(zeros: [1]))
    first.gradient = Tensor([3, 4])
    second.gradient = Tensor([12])
    let norm = clipGradients([first, second], toGlobalNorm: 1.3)
    #expect(abs(norm - 13) < 1e-5)
    expectClose(first.gradient!.scalars + second.gradient!.scalars, [0.3, 0.4, 1.2])
  }

  @Test func clippingLeavesSmallGradientsUnchanged() {
    let parameter = Parameter(Tensor(zeros: [2]))
    parameter.gradient = Tensor([0.3, 0.4])
    clipGradients([parameter], toGlobalNorm: 1)
    #expect(parameter.gradient!.scalars == [0.3, 0.4])
  }
}
