import Tensors

/// Synthetic-update fidelity for scale: no data, no engine. Each honest update points from the
/// current model towards a hidden optimum, scaled by a local learning rate, plus noise;
/// "accuracy" is how much of the initial distance to the optimum has been covered.
public final class SyntheticTraining: TrainingBackend {
  public let modelLength: Int
  public let stepFraction: Float
  public let noise: Float
  public let samplesPerUpdate: UInt32
  /// Peers that hold no data: they answer a training task with weight 0 (and are refused).
  public var datalessPeers: Set<Int> = []
  private let optimum: [Float]
  private let initialDistance: Double
  private var generator: SeededGenerator

  public init(
    modelLength: Int, stepFraction: Float = 0.2, noise: Float = 0.01,
    samplesPerUpdate: UInt32 = 600, seed: UInt64
  ) {
    self.modelLength = modelLength
    self.stepFraction = stepFraction
    self.noise = noise
    self.samplesPerUpdate = samplesPerUpdate
    generator = SeededGenerator(seed: seed)
    optimum = (0..<modelLength).map { 1 + 0.1 * Float(($0 % 7) - 3) }
    initialDistance = Self.distance(optimum, [Float](repeating: 0, count: modelLength))
  }

  /// The initial model of synthetic runs.
  public var initialModel: [Float] { [Float](repeating: 0, count: modelLength) }

  public func sampleCount(peer: Int) -> Int {
    datalessPeers.contains(peer) ? 0 : Int(samplesPerUpdate)
  }

  /// The step towards the optimum plus noise of standard deviation `noise` (uniform, from raw
  /// random bits: a normal draw per parameter would dominate the run time at scale).
  public func train(peer: Int, from parameters: [Float]) -> (weight: UInt32, delta: [Float]) {
    var delta = [Float](repeating: 0, count: modelLength)
    guard !datalessPeers.contains(peer) else { return (0, delta) }
    let spread = noise * 3.464_101_6 / 16_777_216  // uniform on ±sqrt(3)·noise
    delta.withUnsafeMutableBufferPointer { out in
      optimum.withUnsafeBufferPointer { target in
        parameters.withUnsafeBufferPointer { current in
          var index = 0
          while index < out.count {
            let bits = generator.next()
            for half in 0..<2 where index + half < out.count {
              let draw = Float((bits >> (32 * UInt64(half) + 8)) & 0xFF_FFFF) - 8_388_608
              out[index + half] =
                stepFraction * (target[index + half] - current[index + half]) + spread * draw
            }
            index += 2
          }
        }
      }
    }
    return (samplesPerUpdate, delta)
  }

  public func accuracy(of parameters: [Float]) -> Double {
    max(0, 1 - Self.distance(optimum, parameters) / initialDistance)
  }

  static func distance(_ a: [Float], _ b: [Float]) -> Double {
    var total: Double = 0
    for index in 0..<a.count {
      let difference = Double(a[index] - b[index])
      total += difference * difference
    }
    return total.squareRoot()
  }
}
