import Tensors

/// A table of learned vectors indexed by integer tokens.
public final class Embedding: ParameterContainer {
  public let table: Parameter

  public init(count: Int, dimension: Int, generator: inout SeededGenerator) {
    table = Parameter(Tensor.randomNormal(shape: [count, dimension], using: &generator))
  }

  public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", table)] }

  /// Rows for `tokens`, shaped `[tokens.count, dimension]`.
  public func callAsFunction(_ tokens: [Int32], on tape: Tape) -> Variable {
    tape.watch(table).gatherRows(tokens)
  }
}
