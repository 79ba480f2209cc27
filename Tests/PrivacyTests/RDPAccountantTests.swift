import Foundation
import Testing

@testable import Privacy

/// The DP-SGD set-up of Abadi et al. 2016 on MNIST-sized data: batch 256 of 60,000, δ = 1e-5.
private let samplingRate = 256.0 / 60_000
private func steps(epochs: Int) -> Int { Int((Double(epochs) * 60_000 / 256).rounded(.up)) }

@Test(
  "Reproduces the published (ε, δ) of DP-SGD on MNIST-sized data with both conversions",
  arguments: [
    (1.12, 60, EpsilonConversion.classic, 2.92),
    (1.12, 60, EpsilonConversion.hypothesisTesting, 2.52),
    (1.2, 10, EpsilonConversion.classic, 1.20),
    (1.2, 10, EpsilonConversion.hypothesisTesting, 0.93),
  ])
func reproducesTestVectors(
  noiseMultiplier: Double, epochs: Int, conversion: EpsilonConversion, expected: Double
) {
  var accountant = RDPAccountant()
  accountant.compose(
    steps: steps(epochs: epochs), samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
  let epsilon = accountant.epsilon(delta: 1e-5, conversion: conversion)
  #expect(abs(epsilon - expected) <= 0.02, "ε = \(epsilon), expected \(expected)")
}

@Test("The tighter conversion never gives a larger ε than the classic one")
func hypothesisTestingIsTighter() {
  for noiseMultiplier in [0.5, 0.8, 1.1, 2.0, 4.0] {
    var accountant = RDPAccountant()
    accountant.compose(steps: 1000, samplingRate: 0.01, noiseMultiplier: noiseMultiplier)
    #expect(
      accountant.epsilon(delta: 1e-5, conversion: .hypothesisTesting)
        <= accountant.epsilon(delta: 1e-5, conversion: .classic))
  }
}

@Test("Composing steps one at a time equals composing them at once")
func composesByAddition() {
  var once = RDPAccountant()
  once.compose(steps: 50, samplingRate: 0.02, noiseMultiplier: 1.3)
  var oneByOne = RDPAccountant()
  for _ in 0..<50 { oneByOne.compose(steps: 1, samplingRate: 0.02, noiseMultiplier: 1.3) }
  #expect(oneByOne.stepCount == 50)
  for (a, b) in zip(once.renyiEpsilons, oneByOne.renyiEpsilons) {
    #expect(abs(a - b) <= 1e-9 * max(1, a))
  }
}

@Test("Heterogeneous steps add their curves, in any order")
func heterogeneousSteps() {
  var forward = RDPAccountant()
  forward.compose(steps: 100, samplingRate: 0.01, noiseMultiplier: 1.0)
  forward.compose(steps: 30, samplingRate: 0.05, noiseMultiplier: 2.0)
  var backward = RDPAccountant()
  backward.compose(steps: 30, samplingRate: 0.05, noiseMultiplier: 2.0)
  backward.compose(steps: 100, samplingRate: 0.01, noiseMultiplier: 1.0)
  var first = RDPAccountant()
  first.compose(steps: 100, samplingRate: 0.01, noiseMultiplier: 1.0)
  #expect(abs(forward.epsilon(delta: 1e-5) - backward.epsilon(delta: 1e-5)) < 1e-9)
  #expect(forward.epsilon(delta: 1e-5) > first.epsilon(delta: 1e-5))
  var merged = first
  var second = RDPAccountant()
  second.compose(steps: 30, samplingRate: 0.05, noiseMultiplier: 2.0)
  merged.compose(second)
  #expect(abs(merged.epsilon(delta: 1e-5) - forward.epsilon(delta: 1e-5)) < 1e-9)
  #expect(merged.stepCount == 130)
}

@Test("Spent ε grows with the steps and “what if” leaves the account unchanged")
func spentEpsilonAndProjection() {
  var accountant = RDPAccountant()
  #expect(accountant.epsilon(delta: 1e-5) == 0)
  accountant.compose(steps: 1000, samplingRate: samplingRate, noiseMultiplier: 1.1)
  let spent = accountant.epsilon(delta: 1e-5)
  let projected = accountant.epsilon(
    afterAdding: 1000, samplingRate: samplingRate, noiseMultiplier: 1.1, delta: 1e-5)
  #expect(projected > spent)
  #expect(accountant.epsilon(delta: 1e-5) == spent)
  #expect(
    accountant.wouldExceed(
      epsilonBudget: spent + 1e-6, afterAdding: 10, samplingRate: samplingRate,
      noiseMultiplier: 1.1, delta: 1e-5))
  #expect(
    !accountant.wouldExceed(
      epsilonBudget: projected, afterAdding: 1000, samplingRate: samplingRate,
      noiseMultiplier: 1.1, delta: 1e-5))
}

@Test("Client-level rounds use q = sampled clients / population")
func clientLevelRounds() {
  var rounds = RDPAccountant()
  rounds.composeRounds(200, sampledClients: 100, population: 10_000, noiseMultiplier: 1.0)
  var steps = RDPAccountant()
  steps.compose(steps: 200, samplingRate: 0.01, noiseMultiplier: 1.0)
  #expect(rounds == steps)
}

@Test("A step without noise has unbounded ε; a step that samples nobody costs nothing")
func degenerateSteps() {
  var noiseless = RDPAccountant()
  noiseless.compose(steps: 1, samplingRate: 0.1, noiseMultiplier: 0)
  #expect(noiseless.epsilon(delta: 1e-5) == .infinity)
  var empty = RDPAccountant()
  empty.compose(steps: 100, samplingRate: 0, noiseMultiplier: 1)
  #expect(empty.epsilon(delta: 1e-5, conversion: .classic) == 0)
  #expect(empty.stepCount == 100)
}
