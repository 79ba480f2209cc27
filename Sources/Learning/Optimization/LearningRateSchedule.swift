/// The learning rate as a function of the optimizer step.
public enum LearningRateSchedule: Sendable, Equatable {
  /// The base rate at every step.
  case constant
  /// The base rate times `gamma` every `stepSize` steps.
  case step(stepSize: Int, gamma: Float)
  /// Linear warm-up from 0 over `warmupSteps`, then a cosine decay to `minimum` at `totalSteps`.
  case cosine(totalSteps: Int, warmupSteps: Int, minimum: Float)
  /// Linear warm-up from 0 over `steps`, then `schedule` (counting its steps from 0 as well, so
  /// a step schedule's first decay comes `stepSize` steps after the warm-up).
  indirect case warmup(steps: Int, then: LearningRateSchedule)

  /// The learning rate for step `step` (0-based) given the base rate.
  public func learningRate(base: Float, step: Int) -> Float {
    switch self {
    case .constant:
      return base
    case .step(let stepSize, let gamma):
      precondition(stepSize > 0, "step schedule needs stepSize > 0")
      return base * Float(pow(Double(gamma), Double(step / stepSize)))
    case .cosine(let totalSteps, let warmupSteps, let minimum):
      if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
      let decaySteps = Swift.max(totalSteps - warmupSteps, 1)
      let progress = Swift.min(Double(step - warmupSteps) / Double(decaySteps), 1)
      return minimum + (base - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    case .warmup(let steps, let schedule):
      if step < steps { return base * Float(step + 1) / Float(steps) }
      return schedule.learningRate(base: base, step: step - steps)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
