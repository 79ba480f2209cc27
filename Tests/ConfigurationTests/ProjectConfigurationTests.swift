import Testing

@testable import Configuration

@Suite struct ProjectConfigurationTests {
  static let examples: [String] = [
    "{}",
    #"{"extends": "fmnist-mlp"}"#,
    #"{"extends": "fmnist-cnn", "data": {"partition": {"kind": "dirichlet", "alpha": 0.1}}}"#,
    #"{"extends": "text-transformer", "data": {"path": "/corpus.txt"}, "model": {"dropout": 0.1}}"#,
    """
    {"data": {"source": "csv", "path": "/rows.csv", "csv": {"delimiter": ";"}, "trainLimit": 9},
     "training": {"schedule": {"kind": "step", "stepSize": 100}, "threads": 2,
                  "gradientClipNorm": 1, "localSteps": 5},
     "project": {"description": "tab\\tand \\"quotes\\""}}
    """,
    #"{"training": {"optimizer": {"kind": "adamw"}, "schedule": {"kind": "cosine"}}}"#,
    #"{"model": {"seed": 18446744073709551615}, "data": {"source": "synthetic"}}"#,
    #"{"topology": {"mode": "fdfl", "council": 7, "aggregators": 3, "membership": true}}"#,
    #"{"topology": {"mode": "federated", "roundDeadlineSeconds": 30}}"#,
  ]

  @Test(arguments: examples)
  func resolvedJSONReadsBackAsAnEqualConfiguration(json: String) throws {
    let configuration = try ProjectConfiguration.parse(json: json)
    let resolved = configuration.resolvedJSON()
    let reread = try ProjectConfiguration.parse(json: resolved)
    #expect(reread == configuration)
    #expect(reread.resolvedJSON() == resolved)
  }

  @Test func resolvedJSONIsSortedPrettyAndComplete() throws {
    let resolved = try ProjectConfiguration.template(named: "fmnist-mlp").resolvedJSON()
    #expect(
      resolved == """
        {
          "data": {
            "partition": {
              "kind": "iid"
            },
            "path": "/usr/share/datasets/fashion-mnist",
            "peers": 1,
            "source": "fashion-mnist"
          },
          "experiment": {
            "attacks": [
              "none",
              "signflip",
              "gaussian",
              "labelflip",
              "alie",
              "ipm"
            ],
            "byzantineFractions": [
              0.2,
              0.3
            ],
            "rules": [
              "mean",
              "median",
              "momentum+nnm+centeredclip"
            ],
            "seeds": [
              1
            ]
          },
          "model": {
            "architecture": "mlp",
            "seed": 0
          },
          "network": {},
          "project": {
            "name": "fmnist-mlp"
          },
          "security": {
            "aggregation": [
              "mean"
            ],
            "aggregatorsSee": "updates",
            "bucketSize": 2,
            "byzantineFraction": 0.0,
            "clipThreshold": 1.0,
            "partialAggregation": "mean"
          },
          "topology": {
            "council": 5,
            "councilEligibleAfterRounds": 0,
            "councilTrains": false,
            "membership": false,
            "mode": "fdfl",
            "rankedCoordinator": true,
            "replaceCouncilMembers": true,
            "rotateCouncil": true,
            "rotateEvery": 10,
            "roundDeadlineSeconds": 120.0
          },
          "training": {
            "accumulationSteps": 1,
            "batchSize": 64,
            "checkpoint": "checkpoints/fmnist-mlp.safetensors",
            "epochs": 5,
            "evaluateEvery": "epoch",
            "optimizer": {
              "kind": "sgd",
              "learningRate": 0.05,
              "momentum": 0.9,
              "nesterov": false,
              "weightDecay": 0.0
            },
            "outer": {
              "kind": "fedavg",
              "learningRate": 1.0,
              "momentum": 0.9
            },
            "rounds": 1,
            "schedule": {
              "kind": "constant",
              "warmupSteps": 0
            }
          }
        }

        """)
  }

  @Test func configurationsFromDifferentlyWrittenFilesAreEqual() throws {
    let explicit = try ProjectConfiguration.parse(
      json: #"{"model": {"architecture": "mlp", "seed": 0}, "training": {"epochs": 1}}"#)
    #expect(explicit == (try ProjectConfiguration.parse(json: "{}")))
    #expect(explicit != (try ProjectConfiguration.parse(json: #"{"training": {"epochs": 2}}"#)))
  }
}
