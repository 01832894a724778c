import Automation
import Foundation

/// The `timing` column of `messageTrigger` and `webhookTrigger`: `{"delay": …}` or
/// `{"cancels": …}` as JSON, NULL for a trigger that runs the action at once.
enum TimingColumn {
    private struct Timing: Codable {
        var delay: TriggerDelay?
        var cancels: TriggerCancellation?
    }

    static func text(delay: TriggerDelay?, cancels: TriggerCancellation?) -> String? {
        guard delay != nil || cancels != nil else { return nil }
        return (try? JSONEncoder().encode(Timing(delay: delay, cancels: cancels))).map { String(decoding: $0, as: UTF8.self) }
    }

    static func read(_ text: String?, table: String) throws -> (delay: TriggerDelay?, cancels: TriggerCancellation?) {
        guard let text else { return (nil, nil) }
        do {
            let timing = try JSONDecoder().decode(Timing.self, from: Data(text.utf8))
            return (timing.delay, timing.cancels)
        } catch {
            throw SQLiteStoreError.corruptValue(table: table, column: "timing", reason: "\(error)")
        }
    }
}
