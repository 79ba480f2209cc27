// swift-tools-version:6.0
import PackageDescription

/// Kernel targets are compiled with `-Ounchecked` in release builds: bounds are checked once at the
/// API surface (shapes are validated before any kernel runs), not on every element. On x86-64 the
/// kernels also target Haswell (AVX2 + FMA), which every x86-64 CPU sold since 2013 has; set
/// `STARLING_PORTABLE=1` when building for an older machine.
let isPortable = Context.environment["STARLING_PORTABLE"] != nil
var kernelFlags: [String] = ["-Ounchecked"]
#if arch(x86_64)
  if !isPortable { kernelFlags += ["-target-cpu", "haswell"] }
#endif
let kernelSettings: [SwiftSetting] = [.unsafeFlags(kernelFlags, .when(configuration: .release))]

let package = Package(
  name: "Starling",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "starling", targets: ["starling"]),
    .library(name: "Tensors", targets: ["Tensors"]),
    .library(name: "Learning", targets: ["Learning"]),
    .library(name: "Datasets", targets: ["Datasets"]),
    .library(name: "Aggregation", targets: ["Aggregation"]),
    .library(name: "Configuration", targets: ["Configuration"]),
    .library(name: "Wire", targets: ["Wire"]),
    .library(name: "Coordination", targets: ["Coordination"]),
    .library(name: "Privacy", targets: ["Privacy"]),
    .library(name: "Identity", targets: ["Identity"]),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
    .systemLibrary(
      name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CZMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),

    .target(name: "Tensors", dependencies: ["CBLAS"], swiftSettings: kernelSettings),
    .target(name: "Platform"),
    .target(
      name: "Learning", dependencies: ["Tensors", "Platform"], swiftSettings: kernelSettings),
    .target(
      name: "Datasets", dependencies: ["Tensors", "CZlib", "Platform"],
      swiftSettings: kernelSettings),
    .target(name: "Aggregation", dependencies: ["Tensors"], swiftSettings: kernelSettings),
    .target(name: "Configuration", dependencies: ["Platform", "Identity"]),
    .target(name: "Privacy", dependencies: ["Aggregation", "Tensors"]),
    .target(name: "Identity", dependencies: ["CSodium"]),
    .target(name: "Wire", dependencies: ["Identity"]),
    .target(name: "Coordination", dependencies: ["Wire"]),
    .target(name: "Transport", dependencies: ["CZMQ", "Wire", "Identity"]),
    .target(name: "Persistence", dependencies: ["CSQLite", "Wire", "Coordination"]),
    .target(
      name: "Node",
      dependencies: [
        "Coordination", "Wire", "Learning", "Tensors", "Aggregation", "Privacy", "Identity",
      ]),
    .target(
      name: "NodeRuntime",
      dependencies: ["Node", "Transport", "Persistence", "Identity", "Wire", "Coordination"]),
    .target(
      name: "Simulation",
      dependencies: [
        "Aggregation", "Node", "Coordination", "Wire", "Datasets", "Learning", "Tensors",
        "Identity",
      ]),
    .target(
      name: "Commands",
      dependencies: [
        "Tensors", "Learning", "Datasets", "Aggregation", "Configuration", "Simulation", "Node",
        "Platform", "Privacy", "Identity", "Wire", "NodeRuntime", "Transport", "Persistence",
        "Coordination",
      ]),
    .executableTarget(name: "starling", dependencies: ["Commands"]),

    .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
    .testTarget(name: "LearningTests", dependencies: ["Learning", "Tensors"]),
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensors"]),
    .testTarget(name: "AggregationTests", dependencies: ["Aggregation"]),
    .testTarget(name: "ConfigurationTests", dependencies: ["Configuration", "Identity"]),
    .testTarget(
      name: "CommandsTests",
      dependencies: [
        "Commands", "Datasets", "Learning", "Platform", "Configuration", "Transport", "Identity",
      ]),
    .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
    .testTarget(name: "WireTests", dependencies: ["Wire", "Identity"]),
    .testTarget(name: "PrivacyTests", dependencies: ["Privacy", "Tensors"]),
    .testTarget(name: "CoordinationTests", dependencies: ["Coordination", "Wire"]),
    .testTarget(name: "PersistenceTests", dependencies: ["Persistence", "Coordination", "Wire"]),
    .testTarget(name: "IdentityTests", dependencies: ["Identity"]),
    .testTarget(
      name: "NodeTests",
      dependencies: ["Node", "Coordination", "Wire", "Privacy", "Aggregation", "Identity"]),
    .testTarget(
      name: "NodeRuntimeTests", dependencies: ["NodeRuntime", "Node", "Wire", "Identity"]),
    .testTarget(
      name: "TransportTests", dependencies: ["Transport", "CZMQ", "Wire", "Identity"]),
    .testTarget(
      name: "SimulationTests",
      dependencies: ["Simulation", "Node", "Aggregation", "Privacy", "Coordination", "Wire"]),
  ]
)
