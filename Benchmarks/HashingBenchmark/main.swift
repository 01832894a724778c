// Measures the two hashes on Signalbox's paths: UUIDv5 (SHA-1), which names every command,
// history entry and delayed run, and the SHA-256 of an API token, taken on every request.
// Names and tokens are shaped like the real ones. Prints operations per second, best of 5.
//
// Usage: HashingBenchmark [operations=1000000]
import Automation
import Foundation

let operations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000
let action = UUID(), event = UUID()
let names = (0..<1024).map { "step|\(action)|\(event)|\(UUID())|\($0 % 8)" }
let tokens = (0..<1024).map { _ in TokenSecret.generate() }

/// Best of five rounds of `operations` calls of `body`, in calls per second.
func rate(_ body: (Int) -> Int) -> Double {
    var best = 0.0
    var sink = 0
    for _ in 0..<5 {
        let start = ContinuousClock.now
        for index in 0..<operations { sink &+= body(index) }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        best = max(best, Double(operations) / seconds)
    }
    if sink == 42 { print("") }  // keeps the work observable
    return best
}

let uuidRate = rate { UUIDv5.make(namespace: UUIDv5.signalboxNamespace, name: names[$0 & 1023]).hashValue }
let tokenRate = rate { TokenSecret.hash(tokens[$0 & 1023]).utf8.count }
print(String(format: "uuidv5 (SHA-1, %d-byte names): %.0f ops/s", names[0].utf8.count, uuidRate))
print(String(format: "token hash (SHA-256, %d-byte tokens): %.0f ops/s", tokens[0].utf8.count, tokenRate))
