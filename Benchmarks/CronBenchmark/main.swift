// Measures `CronSchedule.next(after:)` calls per second over a fixed mix of expressions and zones.
//
// The same mix, start instant and call pattern are in scripts/bench/cron_peer.py (Python's
// croniter), and scripts/bench-cron.sh runs both and prints the ratio. Each case walks 200
// consecutive occurrences from 2026-01-01T00:00:00Z, then starts again, so yearly and leap-day
// expressions stay within the years both libraries handle.
//
// Usage: CronBenchmark [rounds]      timing, `rounds` walks of 200 per case (default 2000)
//        CronBenchmark --verify      prints the 200 occurrences of each case as Unix seconds
import Cron
import Foundation

let mix: [(expression: String, zone: String)] = [
    ("*/15 * * * *", "UTC"),
    ("0 9 * * 1-5", "Europe/Berlin"),
    ("30 2 * * *", "Europe/Berlin"),
    ("0 */2 * * *", "America/New_York"),
    ("0 0 1,15 * 5", "America/New_York"),
    ("5 4 * * sun", "Australia/Lord_Howe"),
    ("*/20 * * * * *", "Australia/Lord_Howe"),
    ("0 0 29 2 *", "UTC"),
    ("@daily", "Europe/Berlin"),
    ("@hourly", "America/New_York"),
    ("0 12 1-7 * 1", "UTC"),
    ("15 10 1 jan-dec/3 *", "Europe/Berlin"),
]

let walk = 200
let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

let schedules: [CronSchedule]
do {
    schedules = try mix.map { try CronSchedule(parsing: $0.expression, timeZoneIdentifier: $0.zone) }
} catch {
    print("error: \(error)")
    exit(2)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--verify" {
    for (index, schedule) in schedules.enumerated() {
        let times = schedule.occurrences(after: start).prefix(walk).map { String(Int64($0.timeIntervalSince1970)) }
        print("case \(index): \(times.joined(separator: " "))")
    }
    exit(0)
}

let rounds = arguments.first.flatMap { Int($0) } ?? 2_000
var checksum = 0.0
var calls = 0
let clock = ContinuousClock()
var total = Duration.zero
for (index, schedule) in schedules.enumerated() {
    // Warm up: zone tables and caches.
    var cursor = start
    for _ in 0..<walk { cursor = schedule.next(after: cursor) ?? start }
    let began = clock.now
    for _ in 0..<rounds {
        cursor = start
        for _ in 0..<walk {
            guard let next = schedule.next(after: cursor) else { break }
            cursor = next
            checksum += next.timeIntervalSince1970
        }
    }
    let elapsed = clock.now - began
    total += elapsed
    calls += rounds * walk
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(rounds * walk) / seconds
    print(
        "  \(mix[index].expression.padding(toLength: 20, withPad: " ", startingAt: 0)) \(mix[index].zone.padding(toLength: 20, withPad: " ", startingAt: 0)) \(Int(rate)) next/s"
    )
}
let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18
print("checksum \(checksum)")
print("swift next/s: \(Int(Double(calls) / seconds))")
