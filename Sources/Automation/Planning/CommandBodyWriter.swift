import Foundation
import Synchronization

/// Writes command bodies exactly as `JSONEncoder` with sorted keys does — same bytes — without
/// its cost per call (a new encoder and reflection over the body, about 50 µs: the largest CPU
/// item of a planned command). The item's `config`, the one part shaped by users, is encoded by
/// `JSONEncoder` once per distinct config and reused — except a config holding values read from
/// the event (`$fromEvent`), which is different for every event: kept, such configs would crowd
/// out the definitions' and hold event data in memory. Strings with control characters, whose
/// escapes are `JSONEncoder`'s business, go the slow way.
final class CommandBodyWriter: Sendable {
    static let shared = CommandBodyWriter()

    /// Encoded configs; cleared when it grows past ``configLimit`` (definitions are few).
    private let configs = Mutex<[ActionConfig: [UInt8]]>([:])
    private let configLimit = 20_000

    /// `cachingConfig: false` encodes the config for this body alone.
    func encode(_ body: ProcessStartCommand.Body, cachingConfig: Bool = true) throws -> [UInt8] {
        guard let fast = try fastEncode(body, cachingConfig: cachingConfig) else { return Array(try Self.slowEncode(body)) }
        return fast
    }

    /// `JSONEncoder`'s output: the reference the fast path must equal.
    static func slowEncode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = AutomationJSON.encoder()
        encoder.outputFormatting.insert(.sortedKeys)
        return try encoder.encode(value)
    }

    private func config(_ config: ActionConfig, caching: Bool) throws -> [UInt8] {
        guard caching else { return Array(try Self.slowEncode(config)) }
        if let cached = configs.withLock({ $0[config] }) { return cached }
        let encoded = Array(try Self.slowEncode(config))
        configs.withLock { cache in
            if cache.count >= configLimit { cache.removeAll() }
            cache[config] = encoded
        }
        return encoded
    }

    /// Whether `config`'s encoding is kept (for tests).
    func isCached(_ config: ActionConfig) -> Bool {
        configs.withLock { $0[config] != nil }
    }

    /// Keys in sorted order, nil optionals left out, as the synthesized `Codable` and
    /// `.sortedKeys` write them; nil when a string needs escapes other than `"` and `\`.
    func fastEncode(_ body: ProcessStartCommand.Body, cachingConfig: Bool = true) throws -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        var ok = true
        func raw(_ text: StaticString) { text.withUTF8Buffer { out.append(contentsOf: $0) } }
        func string(_ text: String) {
            out.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case 0..<0x20:
                    ok = false
                default:
                    out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }

        raw(#"{"automatedAction":{"id":"#)
        string(body.automatedAction.id.description)
        raw(#","name":"#)
        string(body.automatedAction.name)
        raw(#"},"commandId":"#)
        string(body.commandId.description)
        raw(#","config":"#)
        out.append(contentsOf: try config(body.config, caching: cachingConfig))
        if let interaction = body.interactionProcessId {
            raw(#","interactionProcessId":"#)
            string(interaction)
        }
        raw(#","item":{"index":"#)
        out.append(contentsOf: String(body.item.index).utf8)
        raw(#","name":"#)
        string(body.item.name)
        raw(#"},"namespace":"#)
        string(body.namespace.rawValue)
        raw(#","processId":"#)
        string(body.processId.description)
        if let runAs = body.runAs {
            raw(#","runAs":"#)
            string(runAs)
        }
        raw(#","tenantId":"#)
        string(body.tenantId.rawValue)
        raw(#","trigger":{"#)
        let trigger = body.trigger
        if let eventType = trigger.eventType {
            raw(#""eventType":"#)
            string(eventType.rawValue)
            raw(",")
        }
        if let id = trigger.id {
            raw(#""id":"#)
            string(id.description)
            raw(",")
        }
        if let scheduledAt = trigger.scheduledAt {
            // Whole seconds only: the ISO 8601 style drops fractions, like the encoder's.
            guard scheduledAt.timeIntervalSince1970.rounded(.down) == scheduledAt.timeIntervalSince1970 else { return nil }
            raw(#""scheduledAt":"#)
            string(scheduledAt.formatted(.iso8601))
            raw(",")
        }
        raw(#""sourceEventId":"#)
        string(trigger.sourceEventId)
        raw(#","type":"#)
        string(trigger.type.rawValue)
        raw("}}")
        return ok ? out : nil
    }
}
