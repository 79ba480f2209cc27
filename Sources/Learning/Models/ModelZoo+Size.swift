extension ModelArchitecture {
  /// Trainable parameters, computed from the sizes alone (nothing is allocated), so a command
  /// can refuse a model that does not fit in memory before building it. Saturates at `Int.max`.
  public var parameterCount: Int {
    switch self {
    case .mlp(let inputs, let classes):
      return Self.sum([Self.linear(inputs, 256), Self.linear(256, 128), Self.linear(128, classes)])
    case .cnnSmall:
      return (32 * 9 + 32) + (64 * 32 * 9 + 64) + Self.linear(1600, 128) + Self.linear(128, 10)
    case .tinyTransformer(let settings):
      let width = settings.embeddingSize
      let perLayer = Self.sum([
        Self.product([12, width, width]), Self.product([13, width]),
      ])
      return Self.sum([
        Self.product([settings.vocabularySize, width]),
        Self.product([settings.contextLength, width]),
        Self.product([settings.layers, perLayer]), Self.product([2, width]),
        Self.linear(width, settings.vocabularySize),
      ])
    case .scatternetLinear(let featureShape, let classes):
      return Self.linear(Self.product(featureShape), classes)
    }
  }

  /// Floats of activations one sample keeps alive in a forward pass (the tape holds them for
  /// the backward pass, which needs about as much again for their gradients). An estimate that
  /// counts every intermediate tensor once; saturates at `Int.max`.
  public var activationFloatsPerSample: Int {
    switch self {
    case .mlp(let inputs, let classes):
      return Self.sum([inputs, 2 * 256, 2 * 128, Self.product([2, classes])])
    case .cnnSmall:
      // im2col 26x26x9, conv + ReLU 26x26x32 twice, pool, im2col 11x11x288, conv + ReLU, pool,
      // two linear layers.
      return 26 * 26 * 9 + 2 * 26 * 26 * 32 + 13 * 13 * 32 + 11 * 11 * 288 + 2 * 11 * 11 * 64
        + 1600 + 2 * 128 + 2 * 10
    case .tinyTransformer(let settings):
      let time = settings.contextLength
      let width = settings.embeddingSize
      // Per layer: norms, q/k/v, attention output, projection, residuals, the 4x MLP and GELU
      // (about 20 rows of width per token), and the scores and softmax (two time x time per head).
      let perLayer = Self.sum([
        Self.product([20, time, width]), Self.product([2, settings.heads, time, time]),
      ])
      return Self.sum([
        Self.product([settings.layers, perLayer]), Self.product([4, time, width]),
        Self.product([2, time, settings.vocabularySize]),
      ])
    case .scatternetLinear(let featureShape, let classes):
      return Self.sum([Self.product(featureShape), Self.product([2, classes])])
    }
  }

  private static func linear(_ inputs: Int, _ outputs: Int) -> Int {
    sum([product([inputs, outputs]), outputs])
  }

  private static func product(_ factors: [Int]) -> Int {
    var result = 1
    for factor in factors {
      let (next, overflow) = result.multipliedReportingOverflow(by: factor)
      if overflow { return Int.max }
      result = next
    }
    return result
  }

  private static func sum(_ terms: [Int]) -> Int {
    var result = 0
    for term in terms {
      let (next, overflow) = result.addingReportingOverflow(term)
      if overflow { return Int.max }
      result = next
    }
    return result
  }
}
