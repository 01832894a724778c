import Automation
import Foundation
import PostgresNIO

/// A child row of an action (schedule, message trigger, webhook): its table's key within the
/// action, and the upsert that writes it. `position` keeps the action's order of children.
protocol ChildRow: Hashable {
    static var table: String { get }
    var actionId: ActionID { get }
    var childId: UUID { get }
    /// Inserts the row, or replaces every column of the stored one with the same key.
    var upsert: PostgresQuery { get }
}

extension ChildRow {
    var delete: PostgresQuery {
        "DELETE FROM \(unescaped: Self.table) WHERE action_id = \(actionId.rawValue) AND id = \(childId)"
    }
}

/// A row of `cron_schedule`. A one-time schedule's `firedAt` is its `last_fired_occurrence`
/// (progress, not definition), written by the run path, not here.
struct ScheduleRow: ChildRow {
    static let table = "cron_schedule"
    var actionId: ActionID
    var position: Int
    var schedule: CronScheduleDefinition
    var childId: UUID { schedule.id.rawValue }

    static func read(_ row: StoredRow) throws -> (actionId: ActionID, schedule: CronScheduleDefinition) {
        let at = try row.value("at", as: String?.self)
        let schedule = CronScheduleDefinition(
            id: try row.id("id"), name: try row.value("name"), isEnabled: try row.value("is_enabled"),
            second: try row.value("second"), minute: try row.value("minute"), hour: try row.value("hour"),
            dayOfMonth: try row.value("day_of_month"), month: try row.value("month"), dayOfWeek: try row.value("day_of_week"),
            cron: try row.value("cron"), at: at, firedAt: at == nil ? nil : try row.value("last_fired_occurrence", as: Date?.self),
            timeZone: try row.value("time_zone"), missedRunPolicy: try row.enumeration("missed_run_policy"),
            nextOccurrence: try row.value("next_occurrence"), dateCreated: try row.value("date_created"))
        return (try row.id("action_id"), schedule)
    }

    var upsert: PostgresQuery {
        let s = schedule
        return """
            INSERT INTO cron_schedule (
                action_id, id, position, name, is_enabled, second, minute, hour, day_of_month, month, day_of_week, cron, at,
                time_zone, missed_run_policy, next_occurrence, date_created)
            VALUES (
                \(actionId.rawValue), \(s.id.rawValue), \(position), \(s.name), \(s.isEnabled), \(s.second), \(s.minute), \(s.hour),
                \(s.dayOfMonth), \(s.month), \(s.dayOfWeek), \(s.cron), \(s.at), \(s.timeZone), \(s.missedRunPolicy.rawValue),
                \(s.nextOccurrence), \(s.dateCreated))
            ON CONFLICT (action_id, id) DO UPDATE SET
                position = EXCLUDED.position, name = EXCLUDED.name, is_enabled = EXCLUDED.is_enabled, second = EXCLUDED.second,
                minute = EXCLUDED.minute, hour = EXCLUDED.hour, day_of_month = EXCLUDED.day_of_month, month = EXCLUDED.month,
                day_of_week = EXCLUDED.day_of_week, cron = EXCLUDED.cron, at = EXCLUDED.at, time_zone = EXCLUDED.time_zone,
                missed_run_policy = EXCLUDED.missed_run_policy, next_occurrence = EXCLUDED.next_occurrence,
                date_created = EXCLUDED.date_created
            """
    }
}

/// A row of `message_trigger`.
struct TriggerRow: ChildRow {
    static let table = "message_trigger"
    var actionId: ActionID
    var position: Int
    var trigger: MessageTrigger
    var childId: UUID { trigger.id.rawValue }

    static func read(_ row: StoredRow) throws -> (actionId: ActionID, trigger: MessageTrigger) {
        var trigger = MessageTrigger(
            id: try row.id("id"), name: try row.value("name"), isEnabled: try row.value("is_enabled"),
            triggerType: try row.enumeration("trigger_type"), eventFilter: try row.value("event_filter"))
        (trigger.delay, trigger.cancels) = try StoredTiming.read(row)
        return (try row.id("action_id"), trigger)
    }

    var upsert: PostgresQuery {
        let t = trigger
        return """
            INSERT INTO message_trigger (action_id, id, position, name, is_enabled, trigger_type, event_filter, timing)
            VALUES (
                \(actionId.rawValue), \(t.id.rawValue), \(position), \(t.name), \(t.isEnabled), \(t.triggerType.rawValue),
                \(t.eventFilter), \(StoredTiming.text(delay: t.delay, cancels: t.cancels)))
            ON CONFLICT (action_id, id) DO UPDATE SET
                position = EXCLUDED.position, name = EXCLUDED.name, is_enabled = EXCLUDED.is_enabled,
                trigger_type = EXCLUDED.trigger_type, event_filter = EXCLUDED.event_filter, timing = EXCLUDED.timing
            """
    }
}

/// A row of `webhook_trigger`. The secrets are in `webhook_credentials`, which only calls read.
struct WebhookRow: ChildRow {
    static let table = "webhook_trigger"
    var actionId: ActionID
    var position: Int
    var webhook: WebhookTrigger
    var childId: UUID { webhook.id.rawValue }

    static func read(_ row: StoredRow) throws -> (actionId: ActionID, webhook: WebhookTrigger) {
        var webhook = WebhookTrigger(
            id: try row.id("id"), name: try row.value("name"), isEnabled: try row.value("is_enabled"), filter: try row.value("filter"),
            allowSecretParameter: try row.value("allow_secret_parameter"),
            rateLimit: WebhookRateLimit(perSecond: try row.value("rate_per_second"), burst: try row.value("rate_burst")),
            dateCreated: try row.value("date_created"))
        (webhook.delay, webhook.cancels) = try StoredTiming.read(row)
        return (try row.id("action_id"), webhook)
    }

    var upsert: PostgresQuery {
        let w = webhook
        return """
            INSERT INTO webhook_trigger (
                action_id, id, position, name, is_enabled, filter, allow_secret_parameter, rate_per_second, rate_burst,
                date_created, timing)
            VALUES (
                \(actionId.rawValue), \(w.id.rawValue), \(position), \(w.name), \(w.isEnabled), \(w.filter),
                \(w.allowSecretParameter), \(w.rateLimit.perSecond), \(w.rateLimit.burst), \(w.dateCreated),
                \(StoredTiming.text(delay: w.delay, cancels: w.cancels)))
            ON CONFLICT (action_id, id) DO UPDATE SET
                position = EXCLUDED.position, name = EXCLUDED.name, is_enabled = EXCLUDED.is_enabled, filter = EXCLUDED.filter,
                allow_secret_parameter = EXCLUDED.allow_secret_parameter, rate_per_second = EXCLUDED.rate_per_second,
                rate_burst = EXCLUDED.rate_burst, date_created = EXCLUDED.date_created, timing = EXCLUDED.timing
            """
    }
}

/// The `timing` column of `message_trigger` and `webhook_trigger`: `{"delay": …}` or
/// `{"cancels": …}` as JSON, NULL for a trigger that runs the action at once.
enum StoredTiming {
    private struct Timing: Codable {
        var delay: TriggerDelay?
        var cancels: TriggerCancellation?
    }

    static func text(delay: TriggerDelay?, cancels: TriggerCancellation?) -> String? {
        guard delay != nil || cancels != nil else { return nil }
        return (try? StoredJSON.text(Timing(delay: delay, cancels: cancels)))
    }

    static func read(_ row: StoredRow) throws -> (delay: TriggerDelay?, cancels: TriggerCancellation?) {
        let timing = try row.optionalJSON("timing", as: Timing.self)
        return (timing?.delay, timing?.cancels)
    }
}

/// The credential columns (`secret`, `previous_secret`, `previous_secret_expires_at`,
/// `rotated_at`) of `webhook_credentials` and `action_signing_credentials`.
enum StoredCredentials {
    static let columns = "secret, previous_secret, previous_secret_expires_at, rotated_at"

    static func read(_ row: StoredRow) throws -> WebhookCredentials {
        let previous = try row.value("previous_secret", as: String?.self)
        return WebhookCredentials(
            secret: try secret(try row.value("secret"), row, "secret"),
            previousSecret: try previous.map { try secret($0, row, "previous_secret") },
            previousSecretExpiresAt: try row.value("previous_secret_expires_at"),
            rotatedAt: try row.value("rotated_at"))
    }

    /// Checked as text: a key that no longer decodes would make every call fail with 401.
    private static func secret(_ text: String, _ row: StoredRow, _ column: String) throws -> WebhookSecret {
        guard let secret = WebhookSecret(text) else {
            throw PostgresStoreError.corruptValue(table: row.table, column: column, reason: "not a whsec_ secret")
        }
        return secret
    }

    /// Inserts or replaces the credentials of `owner` in `table` (keyed by `keyColumn`).
    static func upsert(_ credentials: WebhookCredentials, table: String, keyColumn: String, owner: UUID) -> PostgresQuery {
        var binds = PostgresBindings(capacity: 5)
        binds.append(owner)
        binds.append(credentials.secret.text)
        binds.append(credentials.previousSecret?.text)
        binds.append(credentials.previousSecretExpiresAt)
        binds.append(credentials.rotatedAt)
        return PostgresQuery(
            unsafeSQL: """
                INSERT INTO \(table) (\(keyColumn), \(columns)) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (\(keyColumn)) DO UPDATE SET secret = EXCLUDED.secret, previous_secret = EXCLUDED.previous_secret,
                    previous_secret_expires_at = EXCLUDED.previous_secret_expires_at, rotated_at = EXCLUDED.rotated_at
                """,
            binds: binds)
    }
}
