import Testing

@testable import Aggregation

struct ReputationTests {
  @Test func aTrainerIsJudgedOnlyAfterItsFirstRounds() {
    var book = ReputationBook<Int>(decay: 0.5, roundsBeforeJudging: 2)
    book.record([(peer: 1, values: [-1, 0])], aggregate: [1, 0])
    // One round against the aggregate: cosine -1, but not judged yet.
    #expect(book.records[1] == .init(score: -1, rounds: 1))
    #expect(!book.isDistrusted(1))
    book.record([(peer: 1, values: [-2, 0])], aggregate: [3, 0])
    #expect(book.records[1] == .init(score: -1, rounds: 2))
    #expect(book.isDistrusted(1))
  }

  @Test func theScoreIsAMovingAverageOfCosinesAndATrainerCanEarnItsWayBack() {
    var book = ReputationBook<Int>(decay: 0.5, roundsBeforeJudging: 1)
    // Orthogonal (0), then along (1), then against (-1): 0 -> 0.5 -> -0.25.
    book.record([(peer: 7, values: [0, 1])], aggregate: [1, 0])
    #expect(!book.isDistrusted(7), "a score of 0 is not below the threshold 0")
    book.record([(peer: 7, values: [2, 0])], aggregate: [1, 0])
    #expect(book.records[7]?.score == 0.5)
    book.record([(peer: 7, values: [-1, 0])], aggregate: [1, 0])
    #expect(book.records[7]?.score == -0.25)
    #expect(book.isDistrusted(7))
    book.record([(peer: 7, values: [1, 1])], aggregate: [1, 1])
    #expect(abs((book.records[7]?.score ?? 0) - 0.375) < 1e-12)
    #expect(!book.isDistrusted(7))
  }

  @Test func unknownTrainersZeroVectorsAndMismatchedLengthsAreHarmless() {
    var book = ReputationBook<Int>(decay: 0.9)
    #expect(!book.isDistrusted(42))
    book.record([(peer: 1, values: [0, 0]), (peer: 2, values: [1])], aggregate: [1, 0])
    #expect(book.records[1]?.score == 0)
    #expect(book.records[2] == nil)
    book.record([(peer: 3, values: [1, 0])], aggregate: [0, 0])
    #expect(book.records[3]?.score == 0)
    book.record([(peer: 4, values: [1, 0])], aggregate: [])
    #expect(book.records[4] == nil)
  }
}
