import Tensors

/// Sizes of the character-level transformer.
public struct TransformerSettings: Sendable, Equatable {
  public var vocabularySize: Int
  public var contextLength: Int
  public var embeddingSize: Int
  public var heads: Int
  public var layers: Int
  public var dropout: Float

  public init(
    vocabularySize: Int, contextLength: Int = 64, embeddingSize: Int = 64, heads: Int = 4,
    layers: Int = 2, dropout: Float = 0
  ) {
    precondition(vocabularySize > 0 && contextLength > 0 && layers > 0, "transformer sizes")
    precondition(heads > 0 && embeddingSize % heads == 0, "heads must divide the embedding size")
    self.vocabularySize = vocabularySize
    self.contextLength = contextLength
    self.embeddingSize = embeddingSize
    self.heads = heads
    self.layers = layers
    self.dropout = dropout
  }
}

/// Causal multi-head self-attention over `[batch * time, embedding]` rows.
public final class CausalSelfAttention: Layer {
  let projectionIn: Linear
  let projectionOut: Linear
  let heads: Int
  let dropout: Float
  /// The sequence length the input rows are grouped by; set by the enclosing model.
  var timeSteps = 1

  init(embeddingSize: Int, heads: Int, dropout: Float, generator: inout SeededGenerator) {
    projectionIn = Linear(inputs: embeddingSize, outputs: 3 * embeddingSize, generator: &generator)
    projectionOut = Linear(inputs: embeddingSize, outputs: embeddingSize, generator: &generator)
    self.heads = heads
    self.dropout = dropout
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    projectionIn.namedParameters.map { ("qkv.\($0.name)", $0.parameter) }
      + projectionOut.namedParameters.map { ("proj.\($0.name)", $0.parameter) }
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    let (rows, width) = (input.shape[0], input.shape[1])
    let (time, batch, headSize) = (timeSteps, rows / timeSteps, width / heads)
    let qkv = projectionIn(input)
    // [batch*time, width] -> [batch*heads, time, headSize]
    func splitHeads(_ part: Int) -> Variable {
      qkv.slice(alongAxis: 1, (part * width)..<((part + 1) * width))
        .reshaped([batch, time, heads, headSize]).permuted([0, 2, 1, 3])
        .reshaped([batch * heads, time, headSize])
    }
    let (query, key, value) = (splitHeads(0), splitHeads(1), splitHeads(2))
    let scores =
      Variable.batchedMatmul(query, key, transposeB: true) * (1 / Float(headSize).squareRoot())
    let masked = scores + input.tape.constant(Self.causalMask(time: time))
    let weights = masked.softmax().dropout(rate: dropout)
    let attended = Variable.batchedMatmul(weights, value)
      .reshaped([batch, heads, time, headSize]).permuted([0, 2, 1, 3]).reshaped([rows, width])
    return projectionOut(attended)
  }

  /// 0 on and below the diagonal, a large negative number above it (future positions).
  static func causalMask(time: Int) -> Tensor {
    Tensor(shape: [time, time]) { mask in
      for row in 0..<time {
        for column in 0..<time { mask[row * time + column] = column > row ? -1e9 : 0 }
      }
    }
  }
}

/// Pre-norm transformer block: `x + attention(norm(x))`, then `x + mlp(norm(x))`.
final class TransformerBlock: Layer {
  let attentionNorm: LayerNorm
  let attention: CausalSelfAttention
  let feedForwardNorm: LayerNorm
  let feedForward: Sequential

  init(_ settings: TransformerSettings, generator: inout SeededGenerator) {
    let width = settings.embeddingSize
    attentionNorm = LayerNorm(features: width)
    attention = CausalSelfAttention(
      embeddingSize: width, heads: settings.heads, dropout: settings.dropout, generator: &generator)
    feedForwardNorm = LayerNorm(features: width)
    feedForward = Sequential([
      Linear(inputs: width, outputs: 4 * width, generator: &generator), GELU(),
      Linear(inputs: 4 * width, outputs: width, generator: &generator),
      Dropout(rate: settings.dropout),
    ])
  }

  var namedParameters: [(name: String, parameter: Parameter)] {
    func prefixed(_ prefix: String, _ container: any ParameterContainer) -> [(
      name: String, parameter: Parameter
    )] {
      container.namedParameters.map { ("\(prefix).\($0.name)", $0.parameter) }
    }
    return prefixed("ln1", attentionNorm) + prefixed("attn", attention)
      + prefixed("ln2", feedForwardNorm)
      + prefixed("mlp", feedForward)
  }

  func callAsFunction(_ input: Variable) -> Variable {
    let afterAttention = input + attention(attentionNorm(input))
    return afterAttention + feedForward(feedForwardNorm(afterAttention))
  }
}

/// A small GPT-style character model.
///
/// Input: token ids as a `[batch, time]` tensor of whole numbers (time <= contextLength).
/// Output: next-token logits `[batch * time, vocabularySize]`, row `b * time + t` predicting
/// token `t + 1` of sequence `b`.
public final class TinyTransformer: Layer {
  public let settings: TransformerSettings
  let tokenEmbedding: Embedding
  let positionEmbedding: Embedding
  let blocks: [TransformerBlock]
  let finalNorm: LayerNorm
  let head: Linear

  public init(_ settings: TransformerSettings, generator: inout SeededGenerator) {
    self.settings = settings
    tokenEmbedding = Embedding(
      count: settings.vocabularySize, dimension: settings.embeddingSize, generator: &generator)
    positionEmbedding = Embedding(
      count: settings.contextLength, dimension: settings.embeddingSize, generator: &generator)
    var blocks: [TransformerBlock] = []
    for _ in 0..<settings.layers {
      blocks.append(TransformerBlock(settings, generator: &generator))
    }
    self.blocks = blocks
    finalNorm = LayerNorm(features: settings.embeddingSize)
    head = Linear(
      inputs: settings.embeddingSize, outputs: settings.vocabularySize, generator: &generator)
  }

  public var namedParameters: [(name: String, parameter: Parameter)] {
    var named = [
      ("tok_emb.weight", tokenEmbedding.table), ("pos_emb.weight", positionEmbedding.table),
    ]
    for (index, block) in blocks.enumerated() {
      named += block.namedParameters.map { ("blocks.\(index).\($0.name)", $0.parameter) }
    }
    named += finalNorm.namedParameters.map { ("ln_f.\($0.name)", $0.parameter) }
    named += head.namedParameters.map { ("head.\($0.name)", $0.parameter) }
    return named
  }

  public func callAsFunction(_ input: Variable) -> Variable {
    precondition(input.shape.count == 2, "token ids must be [batch, time], got \(input.shape)")
    let (batch, time) = (input.shape[0], input.shape[1])
    precondition(
      time <= settings.contextLength,
      "sequence of \(time) exceeds context \(settings.contextLength)")
    let tape = input.tape
    let tokens = input.value.scalars.map { Int32($0) }
    let positions = (0..<(batch * time)).map { Int32($0 % time) }
    var hidden = (tokenEmbedding(tokens, on: tape) + positionEmbedding(positions, on: tape))
      .dropout(rate: settings.dropout)
    for block in blocks {
      block.attention.timeSteps = time
      hidden = block(hidden)
    }
    return head(finalNorm(hidden))
  }
}
