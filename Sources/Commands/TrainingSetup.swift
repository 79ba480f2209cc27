import Configuration
import Datasets
import Learning
import Platform
import Tensors

/// Turns a validated configuration into the engine's parts: data, model, optimizer, schedule.
enum TrainingSetup {
  /// The partitioner the `data.partition` section names.
  static func partitioning(_ partition: PartitionConfiguration) -> Partitioning {
    switch partition.kind {
    case .iid: .iid
    case .dirichlet: .dirichlet(alpha: partition.alpha)
    case .shards: .shards(perPeer: partition.shardsPerPeer)
    }
  }

  /// Loads the train and test sets the `data` section names (image and feature sources).
  ///
  /// Refuses a set with no samples (`TrainingError.noSamples`), and synthetic data that would not
  /// fit in `memoryBudget` before generating it.
  static func loadData(
    _ data: DataConfiguration, seed: UInt64, memoryBudget: MemoryBudget = .system()
  ) throws -> TrainTestSplit {
    var split: TrainTestSplit
    switch data.source {
    case .fashionMNIST:
      split = try FashionMNIST.load(
        directory: data.path ?? FashionMNIST.defaultDirectory, memoryBudget: memoryBudget)
    case .idxDirectory:
      split = try MNISTFormat.load(
        directory: data.path!, normalization: FashionMNIST.normalization, cache: .standard(),
        memoryBudget: memoryBudget)
    case .cifar10:
      split = try CIFAR10.load(directory: data.path!)
    case .csv:
      let format = CSVFormat(
        labelColumn: .number(data.csv.labelColumn + 1), hasHeaderRow: data.csv.hasHeader,
        delimiter: data.csv.delimiter)
      let all = try format.load(path: data.path!)
      // Hold out the last fifth of the rows for testing.
      let cut = all.count - all.count / 5
      split = TrainTestSplit(
        train: all.subset(Array(0..<cut)), test: all.subset(Array(cut..<all.count)))
      let normalization = split.train.fittedNormalization()
      split.train.normalization = normalization
      split.test.normalization = normalization
    case .synthetic:
      var estimate = MemoryEstimate(
        purpose: "synthetic data", hint: "lower data.trainLimit or data.testLimit")
      let side = LabeledDataset.squaresImageSide
      estimate.add(
        "\(data.trainLimit ?? 6000) training images",
        product: [data.trainLimit ?? 6000, side * side + 4], bytesPerElement: 1)
      estimate.add(
        "\(data.testLimit ?? 1000) test images",
        product: [data.testLimit ?? 1000, side * side + 4], bytesPerElement: 1)
      try memoryBudget.check(estimate)
      split = TrainTestSplit(
        train: LabeledDataset.brightSquares(
          classCount: 10, count: data.trainLimit ?? 6000, seed: seed),
        test: LabeledDataset.brightSquares(
          classCount: 10, count: data.testLimit ?? 1000, seed: seed &+ 1))
    case .text:
      throw UsageError(
        "text data trains the tiny-transformer; use model.architecture tiny-transformer")
    }
    if let limit = data.trainLimit { split.train = split.train.prefix(limit) }
    if let limit = data.testLimit { split.test = split.test.prefix(limit) }
    try TrainingChecks.requireSamples(split, data: data)
    return split
  }

  /// The train and test sets and the architecture of an image or feature model: the data as
  /// loaded, or its scattering features for `scatternet-linear`.
  static func preparedData(
    _ configuration: ProjectConfiguration, output: Output, memoryBudget: MemoryBudget
  ) throws -> (data: TrainTestSplit, architecture: ModelArchitecture) {
    var data = try loadData(
      configuration.data, seed: configuration.model.seed, memoryBudget: memoryBudget)
    let architecture = try architecture(
      configuration.model, sampleShape: data.train.sampleShape, classCount: data.train.classCount)
    if case .scatternetLinear = architecture {
      let start = ProcessMetrics.now()
      data = TrainTestSplit(
        train: ScatteringFeatures.features(of: data.train),
        test: ScatteringFeatures.features(of: data.test))
      output.line(
        "scattering features (J = 2, L = 8, \(data.train.sampleShape)) of "
          + "\(data.train.count + data.test.count) images in "
          + "\(format(ProcessMetrics.now() - start, digits: 1)) s")
    }
    try TrainingChecks.requireMemory(
      configuration, architecture: architecture, data: data, budget: memoryBudget)
    return (data, architecture)
  }

  /// The architecture for a model section and the shape of its input samples.
  static func architecture(
    _ model: ModelConfiguration, sampleShape: [Int], classCount: Int, vocabularySize: Int = 0
  ) throws -> ModelArchitecture {
    switch model.architecture {
    case .mlp:
      return .mlp(inputs: sampleShape.reduce(1, *), classes: classCount)
    case .cnnSmall:
      guard sampleShape == [28, 28, 1], classCount == 10 else {
        throw UsageError(
          "cnn-small takes 28x28x1 images in 10 classes; this data has samples \(sampleShape) in \(classCount) classes"
        )
      }
      return .cnnSmall
    case .scatternetLinear:
      guard sampleShape.count == 3, sampleShape[2] == 1 else {
        throw UsageError(
          "scatternet-linear takes grey images; this data has samples \(sampleShape)")
      }
      return .scatternetLinear(
        featureShape: ScatteringFeatures.featureShape(imageShape: sampleShape), classes: classCount)
    case .tinyTransformer:
      return .tinyTransformer(
        TransformerSettings(
          vocabularySize: vocabularySize, contextLength: model.contextLength,
          embeddingSize: model.embeddingSize, heads: model.heads, layers: model.layers,
          dropout: Float(model.dropout)))
    }
  }

  static func optimizer(_ settings: OptimizerConfiguration) -> any Optimizer {
    switch settings.kind {
    case .sgd:
      return SGD(
        momentum: Float(settings.momentum), nesterov: settings.usesNesterov,
        weightDecay: Float(settings.weightDecay))
    case .adam:
      return Adam(
        beta1: Float(settings.beta1), beta2: Float(settings.beta2),
        epsilon: Float(settings.epsilon),
        weightDecay: Float(settings.weightDecay))
    case .adamw:
      return Adam.adamW(
        beta1: Float(settings.beta1), beta2: Float(settings.beta2),
        epsilon: Float(settings.epsilon),
        weightDecay: Float(settings.weightDecay))
    }
  }

  static func schedule(_ settings: ScheduleConfiguration, totalSteps: Int) -> LearningRateSchedule {
    let schedule: LearningRateSchedule
    switch settings.kind {
    case .constant: schedule = .constant
    case .step: schedule = .step(stepSize: settings.stepSize, gamma: Float(settings.gamma))
    case .cosine:
      return .cosine(
        totalSteps: totalSteps, warmupSteps: settings.warmupSteps,
        minimum: Float(settings.minimumLearningRate))
    }
    return settings.warmupSteps > 0
      ? .warmup(steps: settings.warmupSteps, then: schedule) : schedule
  }

  static func trainer(
    _ configuration: ProjectConfiguration, model: any Layer, stepsPerEpoch: Int
  ) -> Trainer {
    let training = configuration.training
    let totalSteps = max(1, training.epochs * stepsPerEpoch / training.accumulationSteps)
    return Trainer(
      model: model, optimizer: optimizer(training.optimizer),
      learningRate: Float(training.optimizer.learningRate),
      schedule: schedule(training.schedule, totalSteps: totalSteps),
      gradientClipNorm: training.gradientClipNorm.map { Float($0) },
      accumulationSteps: training.accumulationSteps, seed: configuration.model.seed)
  }
}
