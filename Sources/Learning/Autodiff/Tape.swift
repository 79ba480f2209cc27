import Tensors

/// Whether a forward pass trains (dropout active, batch statistics) or evaluates.
public enum ForwardMode: Sendable {
  case training
  case inference
}

/// A reverse-mode automatic differentiation tape.
///
/// Every primitive operation appends its output and, when an input needs a gradient, one backward
/// rule. `backward(from:)` walks the tape once in reverse, handing each rule the gradient of its
/// output; the rule adds into its inputs' gradients, which it names by position through a
/// `BackwardContext`. Composite operations are built from primitives and need no rule of their
/// own. Rules capture tensors only, never a `Variable` (which holds its tape): a tape therefore
/// holds no reference cycle and is freed, with every intermediate, when its last user drops it.
public final class Tape {
  typealias BackwardRule = (_ gradient: Tensor, _ inputs: BackwardContext) -> Void

  /// Training or inference; layers such as `Dropout` and `BatchNorm2D` read it.
  public let mode: ForwardMode
  /// Randomness for the forward pass (dropout masks), seeded by the caller.
  public var generator: SeededGenerator
  /// The number of examples in the batch when the tape keeps per-example parameter gradients
  /// (DP-SGD), `nil` otherwise. See `PerExampleGradient`.
  public let perExampleBatchSize: Int?
  /// Per-example gradients recorded by the backward pass, in the order they were recorded.
  private(set) var perExampleGradients: [(parameter: Parameter, gradient: PerExampleGradient)] =
    []
  /// Whether some parameter received a summed gradient that could not be split per example
  /// (only possible when `perExampleBatchSize` is set); such parameters are left untouched.
  public private(set) var hasUnsplitParameterGradient = false

  private(set) var values: [Tensor] = []
  fileprivate var needsGradient: [Bool] = []
  private var rules: [BackwardRule?] = []
  private var inputIDs: [[Int]] = []
  private var parameters: [Int: Parameter] = [:]
  private var gradients: [Tensor?] = []

  public init(
    mode: ForwardMode = .training, generator: SeededGenerator = SeededGenerator(seed: 0),
    perExampleBatchSize: Int? = nil
  ) {
    precondition(perExampleBatchSize.map { $0 > 0 } ?? true, "per-example batch size")
    self.mode = mode
    self.generator = generator
    self.perExampleBatchSize = perExampleBatchSize
  }

  /// Whether operations record backward rules (`false` in inference mode).
  public var isRecording: Bool { mode == .training }

  /// An input that needs no gradient (data, masks).
  public func constant(_ value: Tensor) -> Variable {
    append(value, needsGradient: false, rule: nil)
  }

  /// A leaf whose gradient `gradient(of:)` returns after `backward(from:)`.
  public func variable(_ value: Tensor) -> Variable {
    append(value, needsGradient: isRecording, rule: nil)
  }

  /// A parameter's current value; the backward pass accumulates into `parameter.gradient`.
  public func watch(_ parameter: Parameter) -> Variable {
    let variable = append(parameter.value, needsGradient: isRecording, rule: nil)
    if isRecording { parameters[variable.id] = parameter }
    return variable
  }

  /// Appends the output of a primitive. `rule` is kept only if some input needs a gradient.
  func record(
    _ value: Tensor, inputs: [Variable], rule: @escaping BackwardRule
  ) -> Variable {
    precondition(inputs.allSatisfy { $0.tape === self }, "operands from different tapes")
    let needed = isRecording && inputs.contains { needsGradient[$0.id] }
    return append(
      value, needsGradient: needed, rule: needed ? rule : nil,
      inputs: needed ? inputs.map(\.id) : [])
  }

  private func append(
    _ value: Tensor, needsGradient needed: Bool, rule: BackwardRule?, inputs: [Int] = []
  ) -> Variable {
    values.append(value)
    needsGradient.append(needed)
    rules.append(rule)
    inputIDs.append(inputs)
    return Variable(tape: self, id: values.count - 1)
  }

  /// Adds `gradient` into the gradient of entry `id`.
  fileprivate func accumulate(_ gradient: Tensor, intoEntry id: Int) {
    guard needsGradient[id] else { return }
    precondition(
      gradient.shape == values[id].shape, "gradient \(gradient.shape) for \(values[id].shape)")
    if gradients[id] == nil {
      gradients[id] = gradient
    } else {
      gradients[id]!.add(gradient)
    }
  }

  /// Back-propagates from `output`, seeded with ones (or `seed`), into every parameter and leaf.
  public func backward(from output: Variable, seed: Tensor? = nil) {
    precondition(isRecording, "backward on an inference tape")
    gradients = Array(repeating: nil, count: values.count)
    gradients[output.id] = seed ?? Tensor(shape: values[output.id].shape, repeating: 1)
    for id in stride(from: output.id, through: 0, by: -1) {
      guard let gradient = gradients[id] else { continue }
      if let rule = rules[id] {
        rule(gradient, BackwardContext(tape: self, inputs: inputIDs[id]))
        gradients[id] = nil  // an intermediate's gradient is no longer needed
      }
      if let parameter = parameters[id] {
        if perExampleBatchSize == nil {
          parameter.accumulateGradient(gradient)
        } else {
          hasUnsplitParameterGradient = true
        }
      }
    }
  }

  /// The gradient of a leaf after `backward(from:)`; nil when nothing flowed into it.
  public func gradient(of variable: Variable) -> Tensor? {
    variable.id < gradients.count ? gradients[variable.id] : nil
  }
}

/// What a backward rule sees: its inputs, by their position in the operation's input list.
struct BackwardContext {
  unowned(unsafe) let tape: Tape  // valid: the context lives only inside `Tape.backward`
  let inputs: [Int]

  /// Whether input `position` needs a gradient (rules skip the work for inputs that do not).
  func needsGradient(_ position: Int) -> Bool { tape.needsGradientOfEntry(inputs[position]) }

  /// Adds `gradient` into the gradient of input `position`.
  func accumulate(_ gradient: Tensor, into position: Int) {
    tape.accumulate(gradient, intoEntry: inputs[position])
  }

  /// The examples per batch when the tape keeps per-example gradients and input `position` is
  /// a watched parameter; `nil` when the rule should accumulate the summed gradient instead.
  func perExampleBatchSize(forInput position: Int) -> Int? {
    guard let batchSize = tape.perExampleBatchSize, tape.isParameterEntry(inputs[position])
    else { return nil }
    return batchSize
  }

  /// Records the per-example gradient of the parameter at input `position` (which
  /// `perExampleBatchSize(forInput:)` has confirmed to be one).
  func recordPerExample(_ gradient: PerExampleGradient, into position: Int) {
    tape.recordPerExample(gradient, intoEntry: inputs[position])
  }
}

extension Tape {
  fileprivate func needsGradientOfEntry(_ id: Int) -> Bool { needsGradient[id] }
  fileprivate func isParameterEntry(_ id: Int) -> Bool { parameters[id] != nil }
  fileprivate func recordPerExample(_ gradient: PerExampleGradient, intoEntry id: Int) {
    perExampleGradients.append((parameters[id]!, gradient))
  }
}

/// A value on a tape: the handle operations take and return.
public struct Variable {
  public let tape: Tape
  let id: Int

  /// The computed value.
  public var value: Tensor { tape.values[id] }
  public var shape: [Int] { tape.values[id].shape }
}
