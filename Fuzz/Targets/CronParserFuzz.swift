import Cron
import Foundation

/// The cron expression parser (and the one-time date-time form), then the schedule in three
/// zones (no DST, a one-hour DST, Lord Howe's half-hour DST) around fixed instants:
/// - an expression's source parses again to the same expression;
/// - `next(after: t)` is after t and is an occurrence; `previous(before: t)` is before t;
/// - nothing lies between them: the next after the previous is at or after t, the previous
///   before the next (when there is one) is at or before t.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCronParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = text(data, size)
    if let once = try? CronSchedule(at: source, timeZoneIdentifier: "Europe/Berlin") {
        guard let instant = once.expression.onlyInstant, once.next(after: instant.addingTimeInterval(-1)) == instant else {
            propertyFailed("one-time \(source.debugDescription) does not fire at its instant")
        }
    }
    let expression: CronExpression
    do {
        expression = try CronExpression(parsing: source)
    } catch {
        guard !error.field.isEmpty else { propertyFailed("error names no field: \(error)") }
        return 0
    }
    guard let reparsed = try? CronExpression(parsing: expression.source), reparsed == expression else {
        propertyFailed("source \(expression.source.debugDescription) does not parse to the same expression")
    }
    for zone in CronFuzzInstants.zones {
        guard let schedule = try? CronSchedule(expression, timeZone: zone, anchor: CronFuzzInstants.anchor) else {
            propertyFailed("\(expression) has no schedule in \(zone.identifier)")
        }
        for instant in CronFuzzInstants.instants { check(schedule, around: instant) }
    }
    return 0
}

enum CronFuzzInstants {
    static let zones = ["UTC", "Europe/Berlin", "Australia/Lord_Howe"].map { TimeZone(identifier: $0)! }
    static let anchor = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let instants = [
        1_774_744_200,  // 2026-03-29T00:30:00Z, Berlin springs forward at 01:00Z
        1_792_888_200,  // 2026-10-25T00:30:00Z, Berlin falls back at 01:00Z
        1_775_318_400,  // 2026-04-04T16:00:00Z, near Lord Howe's fall-back (15:00Z)
        951_782_400,  // 2000-02-29T00:00:00Z, a leap day
        4_102_444_799,  // 2099-12-31T23:59:59Z
    ].map { Date(timeIntervalSince1970: Double($0)) }
}

func check(_ schedule: CronSchedule, around instant: Date) {
    let label = "\(schedule.expression) in \(schedule.timeZone.identifier) around \(instant)"
    let next = schedule.next(after: instant)
    let previous = schedule.previous(before: instant)
    if let next {
        guard next > instant else { propertyFailed("\(label): next \(next) is not after") }
        guard schedule.isOccurrence(next) else { propertyFailed("\(label): next \(next) is not an occurrence") }
        // `@every` has nothing before its first run, so only a previous that exists is checked.
        let back = schedule.previous(before: next)
        if let back, back > instant { propertyFailed("\(label): previous before next \(next) is \(back)") }
        if back == nil, previous != nil { propertyFailed("\(label): nothing before next \(next), but \(previous!) before") }
    }
    if let previous {
        guard previous < instant else { propertyFailed("\(label): previous \(previous) is not before") }
        let forward = schedule.next(after: previous)
        if let forward, forward < instant { propertyFailed("\(label): next after previous \(previous) is \(forward)") }
        if forward == nil, next != nil { propertyFailed("\(label): nothing after previous \(previous), but \(next!) after") }
    }
    if !schedule.expression.neverFires, schedule.expression.onlyInstant == nil, next == nil, previous == nil {
        propertyFailed("\(label): a schedule that fires has neither a next nor a previous occurrence")
    }
}
