import Tensors

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fixed 2-D scattering transform (Bruna and Mallat 2013) of grey images: the hand-crafted
/// feature extractor that Tramèr and Boneh 2021 put in front of a DP-trained linear model.
///
/// With J scales and L orientations, Morlet wavelets ψ_{j,θ} and a Gaussian low-pass φ, the
/// features are, every 2^J pixels,
///
///     S0 = x ⋆ φ,   S1 = |x ⋆ ψ_{j1,θ1}| ⋆ φ,   S2 = ||x ⋆ ψ_{j1,θ1}| ⋆ ψ_{j2,θ2}| ⋆ φ  (j2 > j1),
///
/// 1 + JL + L²J(J-1)/2 channels (81 for J = 2, L = 8). The filters follow Kymatio's parameters
/// (σ = 0.8·2^j, ξ = 3π/4 / 2^j, slant 4/L, φ of σ = 0.8·2^(J-1)) but are applied as spatial
/// convolutions with zero padding, truncated at 3 envelope deviations, instead of periodic
/// convolutions in the Fourier domain. Nothing here is learned or depends on data, so computing
/// the features costs no privacy.
public struct ScatteringTransform: Sendable {
  /// J: the number of wavelet scales; the output is subsampled by 2^J.
  public let scales: Int
  /// L: orientations per scale.
  public let orientations: Int
  /// For each scale k (relative to the grid it is applied on), the real and imaginary parts of
  /// its L wavelets: weight `[2L, k, k, 1]` (channel 2ℓ real, 2ℓ + 1 imaginary).
  let wavelets: [Tensor]
  /// For each resolution r (maps subsampled by 2^r), the low-pass filter `[1, k, k, 1]` that
  /// takes them to the output grid (σ = 0.8·2^(J-1-r), stride 2^(J-r)).
  let lowPasses: [Tensor]
  /// Wavelets are truncated at this many deviations of their widest axis; low-pass filters at 3.
  static let waveletTruncation = 2.5

  public init(scales: Int = 2, orientations: Int = 8) {
    precondition(scales >= 1 && scales <= 4 && orientations >= 1, "scattering J and L")
    self.scales = scales
    self.orientations = orientations
    wavelets = (0..<scales).map { Self.waveletBank(scale: $0, orientations: orientations) }
    lowPasses = (0..<scales).map { resolution in
      let sigma = 0.8 * Double(1 << (scales - 1)) / Double(1 << resolution)
      let (real, _) = Self.gabor(sigma: sigma, theta: 0, xi: 0, slant: 1, truncation: 3)
      return Tensor(shape: [1, real.size, real.size, 1], scalars: real.values.map { Float($0) })
    }
  }

  /// Output channels: 1 + JL + L²J(J-1)/2.
  public var channelCount: Int {
    1 + scales * orientations + orientations * orientations * scales * (scales - 1) / 2
  }

  /// The features of `[N, H, W, 1]` images: `[N, ceil(H / 2^J), ceil(W / 2^J), channelCount]`.
  ///
  /// As in Kymatio, |x ⋆ ψ_j| is computed only every 2^j pixels, and the second-order wavelet
  /// ψ_{j2} runs on that coarser grid (where it is ψ_{j2-j1}) with stride 2^(j2-j1).
  ///
  /// - Complexity: O(N H W L² k²) for wavelets of width k; about 10 million multiply-adds per
  ///   28 × 28 image with J = 2, L = 8.
  public func callAsFunction(_ images: Tensor) -> Tensor {
    precondition(images.rank == 4 && images.shape[3] == 1, "grey NHWC images expected")
    let count = images.shape[0]
    var parts = [lowPassed(images, resolution: 0)]
    var firstOrder: [Tensor] = []
    for scale in 0..<scales {
      let modulus = waveletModulus(images, scale: scale, stride: 1 << scale)
      firstOrder.append(modulus)
      parts.append(
        lowPassed(separatingChannels(modulus), resolution: scale)
          .reshapedChannelsLast(count: count))
    }
    for first in 0..<scales {
      let separated = separatingChannels(firstOrder[first])  // [N L, H / 2^j1, W / 2^j1, 1]
      for second in (first + 1)..<scales {
        let modulus = waveletModulus(
          separated, scale: second - first, stride: 1 << (second - first))
        parts.append(
          lowPassed(separatingChannels(modulus), resolution: second)
            .reshapedChannelsLast(count: count))
      }
    }
    return Tensor.concatenate(parts, alongAxis: 3)
  }

  /// Features normalised per example and per group of channels (a group norm without learned
  /// scale): in each group of `channelCount / groups` consecutive channels, over all positions,
  /// mean 0 and variance 1 (plus `epsilon`). It reads one example only, so it costs no privacy.
  ///
  /// - Complexity: O(`features.count`).
  public static func normalizedInGroups(_ features: Tensor, groups: Int, epsilon: Float = 1e-5)
    -> Tensor
  {
    precondition(features.rank == 4, "NHWC features expected")
    let channels = features.shape[3]
    precondition(groups >= 1 && channels % groups == 0, "\(groups) groups of \(channels) channels")
    let groupWidth = channels / groups
    let positions = features.shape[1] * features.shape[2]
    let exampleSize = positions * channels
    var result = features
    result.withUnsafeMutableBufferPointer { values in
      for example in 0..<features.shape[0] {
        let base = example * exampleSize
        for group in 0..<groups {
          var (sum, squares) = (0.0, 0.0)
          for position in 0..<positions {
            for channel in (group * groupWidth)..<((group + 1) * groupWidth) {
              let value = Double(values[base + position * channels + channel])
              sum += value
              squares += value * value
            }
          }
          let count = Double(positions * groupWidth)
          let mean = sum / count
          let variance = max(0, squares / count - mean * mean)
          let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
          for position in 0..<positions {
            for channel in (group * groupWidth)..<((group + 1) * groupWidth) {
              let index = base + position * channels + channel
              values[index] = (values[index] - Float(mean)) * inverse
            }
          }
        }
      }
    }
    return result
  }

  /// `|x ⋆ ψ_{scale,θ}|` every `stride` pixels for every orientation: `[M, H, W, 1]` to
  /// `[M, ceil(H / stride), ceil(W / stride), L]`.
  func waveletModulus(_ images: Tensor, scale: Int, stride: Int) -> Tensor {
    let bank = wavelets[scale]
    let filtered = Tensor.conv2d(
      images, weight: bank, bias: nil, stride: stride, padding: bank.shape[1] / 2)
    let pixels = filtered.count / (2 * orientations)
    var modulus = Tensor(uninitializedShape: Array(filtered.shape.dropLast()) + [orientations])
    filtered.withUnsafeBufferPointer { complex in
      modulus.withUnsafeMutableBufferPointer { output in
        for index in 0..<(pixels * orientations) {
          let (real, imaginary) = (complex[2 * index], complex[2 * index + 1])
          output[index] = (real * real + imaginary * imaginary).squareRoot()
        }
      }
    }
    return modulus
  }

  /// Maps at resolution `resolution` (every 2^r pixels) low-passed onto the output grid (every
  /// 2^J pixels). A kernel of 2h + 1 taps with padding h gives ceil(size / stride) outputs,
  /// centred on input pixels 0, stride, 2·stride, ...
  func lowPassed(_ maps: Tensor, resolution: Int) -> Tensor {
    let filter = lowPasses[resolution]
    return Tensor.conv2d(
      maps, weight: filter, bias: nil, stride: 1 << (scales - resolution),
      padding: filter.shape[1] / 2)
  }

  /// `[N, H, W, C]` to `[N C, H, W, 1]`: each channel becomes an image of its own.
  func separatingChannels(_ tensor: Tensor) -> Tensor {
    let (count, height, width, channels) = (
      tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3]
    )
    return tensor.permuted([0, 3, 1, 2]).reshaped([count * channels, height, width, 1])
  }

  /// The L wavelets of one scale as a convolution weight `[2L, k, k, 1]`.
  static func waveletBank(scale: Int, orientations: Int) -> Tensor {
    let sigma = 0.8 * Double(1 << scale)
    let xi = 0.75 * Double.pi / Double(1 << scale)
    let slant = 4 / Double(orientations)
    var filters: [(real: [Double], imaginary: [Double])] = []
    var size = 0
    for orientation in 0..<orientations {
      let theta = Double(orientations / 2 - 1 - orientation) * Double.pi / Double(orientations)
      let (waveReal, waveImaginary) = gabor(
        sigma: sigma, theta: theta, xi: xi, slant: slant, truncation: waveletTruncation)
      let (envelope, _) = gabor(
        sigma: sigma, theta: theta, xi: 0, slant: slant, truncation: waveletTruncation)
      // Morlet: subtract the envelope times the wave's mean over it, so the filter sums to zero.
      let realShift = waveReal.values.reduce(0, +) / envelope.values.reduce(0, +)
      let imaginaryShift = waveImaginary.values.reduce(0, +) / envelope.values.reduce(0, +)
      filters.append(
        (
          zip(waveReal.values, envelope.values).map { $0 - realShift * $1 },
          zip(waveImaginary.values, envelope.values).map { $0 - imaginaryShift * $1 }
        ))
      size = waveReal.size
    }
    var weight = [Float](repeating: 0, count: 2 * orientations * size * size)
    for (orientation, filter) in filters.enumerated() {
      for index in 0..<(size * size) {
        weight[(2 * orientation) * size * size + index] = Float(filter.real[index])
        weight[(2 * orientation + 1) * size * size + index] = Float(filter.imaginary[index])
      }
    }
    return Tensor(shape: [2 * orientations, size, size, 1], scalars: weight)
  }

  /// A Gabor filter exp(-xᵀ Σ x) e^{i ξ (x cos θ + y sin θ)} / (2π σ² / slant) sampled on a
  /// square grid reaching `truncation` deviations of its widest axis (σ / slant).
  static func gabor(sigma: Double, theta: Double, xi: Double, slant: Double, truncation: Double)
    -> (real: (values: [Double], size: Int), imaginary: (values: [Double], size: Int))
  {
    let half = Int((truncation * sigma / min(slant, 1)).rounded(.up))
    let size = 2 * half + 1
    let (c, s) = (cos(theta), sin(theta))
    let denominator = 2 * sigma * sigma
    // R diag(1, slant²) R⁻¹ / (2σ²)
    let a = (c * c + slant * slant * s * s) / denominator
    let b = (c * s - slant * slant * c * s) / denominator
    let d = (s * s + slant * slant * c * c) / denominator
    let normalization = 2 * Double.pi * sigma * sigma / slant
    var real = [Double](repeating: 0, count: size * size)
    var imaginary = real
    for row in 0..<size {
      for column in 0..<size {
        let (x, y) = (Double(row - half), Double(column - half))
        let envelope = exp(-(a * x * x + 2 * b * x * y + d * y * y)) / normalization
        let phase = xi * (x * c + y * s)
        real[row * size + column] = envelope * cos(phase)
        imaginary[row * size + column] = envelope * sin(phase)
      }
    }
    return ((real, size), (imaginary, size))
  }
}

extension Tensor {
  /// `[N C, h, w, 1]` (channel-separated low-pass outputs) back to `[N, h, w, C]`.
  fileprivate func reshapedChannelsLast(count: Int) -> Tensor {
    let (height, width) = (shape[1], shape[2])
    let channels = shape[0] / count
    return reshaped([count, channels, height, width]).permuted([0, 2, 3, 1])
  }
}
