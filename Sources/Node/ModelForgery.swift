import Wire

/// What a Byzantine coordinator sends in tests of the council's check (the simulator's
/// `firstCoordinatorForgesModels`, `starling node --fault forge-model`): every model it
/// publishes for a round past its committed one is replaced by a forgery, each value moved by
/// `offset`, and its notes name the forgery. The forgery is consistent (the values hash to the
/// digest sent), so only recomputing the combination gives it away.
public enum ModelForgery {
  public static let offset: Float = 0.5

  /// What the forger alters.
  public enum Target: String, Sendable, CaseIterable {
    /// Every published model (and the notes that name it).
    case model
    /// Only the outer optimizer's state in its notes, each value moved by `offset`: the models
    /// are honest, but the state the next round would go on from is not.
    case outerState
  }

  public static func forgery(of values: [Float]) -> [Float] { values.map { $0 + offset } }

  /// `message` as the forging coordinator `node` sends it, and the digest of the model it
  /// forged, or whose note carries a forged state (nil when it forged none in this message).
  public static func forged(_ message: Message, by node: NodeController, target: Target = .model)
    -> (message: Message, forged: Digest?)
  {
    if target == .outerState {
      guard
        case .round(
          .combination(let round, let digest, let aggregators, let partials, let seed, let state)) =
          message, !state.isEmpty
      else { return (message, nil) }
      return (
        .round(
          .combination(
            round: round, digest: digest, aggregators: aggregators, partials: partials, seed: seed,
            outerState: forgery(of: state))), digest
      )
    }
    switch message {
    case .round(.model(let round, _, let values)) where round > node.committedRound:
      let forgery = forgery(of: values)
      let digest = Digest.of(values: forgery)
      return (.round(.model(round: round, digest: digest, values: forgery)), digest)
    case .round(
      .combination(let round, let digest, let aggregators, let partials, let seed, let state)):
      guard let values = node.storedModels[digest] else { return (message, nil) }
      let forged = Digest.of(values: forgery(of: values))
      return (
        .round(
          .combination(
            round: round, digest: forged, aggregators: aggregators, partials: partials, seed: seed,
            outerState: state)),
        nil
      )
    default:
      return (message, nil)
    }
  }
}
