import Testing

@testable import Configuration

@Suite struct PartitionConfigurationTests {
  @Test func dirichletReadsAlphaWithDefaultOneHalf() throws {
    #expect(try mlp(["data.partition.kind": "dirichlet"]).data.partition.alpha == 0.5)
    let partition = try mlp(["data.partition.kind": "dirichlet", "data.partition.alpha": "0.1"])
      .data.partition
    #expect(partition.kind == .dirichlet)
    #expect(partition.alpha == 0.1)
  }

  @Test func shardsReadsShardsPerPeerWithDefaultTwo() throws {
    #expect(try mlp(["data.partition.kind": "shards"]).data.partition.shardsPerPeer == 2)
    let partition = try mlp(["data.partition.kind": "shards", "data.partition.shardsPerPeer": "5"])
      .data.partition
    #expect(partition.kind == .shards)
    #expect(partition.shardsPerPeer == 5)
  }

  @Test(arguments: [
    ("iid", "alpha", "0.5", "alpha applies only to dirichlet, not iid"),
    ("shards", "alpha", "0.5", "alpha applies only to dirichlet, not shards"),
    ("iid", "shardsPerPeer", "2", "shardsPerPeer applies only to shards, not iid"),
    ("dirichlet", "shardsPerPeer", "2", "shardsPerPeer applies only to shards, not dirichlet"),
  ])
  func fieldsOfAnotherKindAreRejected(kind: String, field: String, value: String, reason: String) {
    #expect(
      throws: ConfigurationError.invalidCombination(
        path: "data.partition.\(field)",
        reason: reason + "; remove it, or set it to null if it comes from an extended file")
    ) { try mlp(["data.partition.kind": kind, "data.partition.\(field)": value]) }
  }

  @Test func resolvedJSONHoldsOnlyTheFieldOfTheKind() throws {
    let dirichlet = try mlp(["data.partition.kind": "dirichlet"]).data.partition.jsonValue
    #expect(dirichlet == .object(["kind": .string("dirichlet"), "alpha": .number("0.5")]))
    let iid = try mlp().data.partition.jsonValue
    #expect(iid == .object(["kind": .string("iid")]))
  }

  static let dirichlet = overrides(["data.partition.kind": "dirichlet"])
  static let shards = overrides(["data.partition.kind": "shards"])
  static let limits: [RangeLimit] = [
    RangeLimit(
      path: "data.partition.alpha", limit: "5e-324", pastLimit: "0", allowed: "(0, 10000]",
      setup: dirichlet, read: { $0.data.partition.alpha }),
    RangeLimit(
      path: "data.partition.alpha", limit: "10000", pastLimit: "10000.000000000002",
      allowed: "(0, 10000]", setup: dirichlet, read: { $0.data.partition.alpha }),
    RangeLimit(
      path: "data.partition.shardsPerPeer", limit: "1", pastLimit: "0", allowed: "[1, 10000]",
      setup: shards, read: { Double($0.data.partition.shardsPerPeer) }),
    RangeLimit(
      path: "data.partition.shardsPerPeer", limit: "10000", pastLimit: "10001",
      allowed: "[1, 10000]", setup: shards, read: { Double($0.data.partition.shardsPerPeer) }),
  ]

  @Test(arguments: limits)
  func rangeLimits(_ limit: RangeLimit) throws { try limit.check() }
}
