import Foundation

/// A UUID that names one kind of entity, so an action id cannot be passed where a schedule id is
/// expected.
///
/// Identifiers encode as lowercase UUID strings (`"f7a8b9c0-1234-56d7-8901-234567890123"`), the
/// form REST clients and the CLI show, and decode from either case.
public protocol UUIDIdentifier: RawRepresentable, Hashable, Sendable, Codable, Comparable,
    LosslessStringConvertible
where RawValue == UUID {
    init(rawValue: UUID)
}

extension UUIDIdentifier {
    /// A new random (version 4) identifier.
    public static func random() -> Self { Self(rawValue: UUID()) }

    /// Parses a UUID string in either case; nil when it is not a UUID.
    public init?(_ description: String) {
        guard let uuid = UUID(canonicalText: description) else { return nil }
        self.init(rawValue: uuid)
    }

    /// The lowercase UUID string.
    public var description: String { rawValue.lowercaseString }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let uuid = UUID(canonicalText: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text.prefix(64))\" is not a UUID")
        }
        self.init(rawValue: uuid)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Identifies an ``AutomatedAction``.
public struct ActionID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies a ``CronScheduleDefinition`` within its action.
public struct ScheduleID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies a ``MessageTrigger`` within its action.
public struct TriggerID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies a ``WebhookTrigger``; it is also the last part of the webhook's URL (`/hooks/{id}`).
public struct WebhookID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies an ``ExecutionHistoryEntry``.
public struct ExecutionID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies a process that Signalbox started (the id carried by its start command and by the
/// ProcessUpdated events that later report on it).
public struct ProcessID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies an ``APIToken`` (not its secret: the id is safe to show and log).
public struct TokenID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// Identifies a ``DelayedRun`` (the `runId` of `POST …/runs`).
public struct DelayedRunID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
}

/// The `triggerId` of a history entry: a schedule's id for `Schedule` runs, a message trigger's
/// id for `Message` runs, the webhook's for `Webhook` runs, the delayed run's for `Delayed` runs
/// (manual runs have none).
public struct ExecutionSourceID: UUIDIdentifier {
    public let rawValue: UUID
    public init(rawValue: UUID) { self.rawValue = rawValue }
    public init(_ schedule: ScheduleID) { self.rawValue = schedule.rawValue }
    public init(_ trigger: TriggerID) { self.rawValue = trigger.rawValue }
    public init(_ webhook: WebhookID) { self.rawValue = webhook.rawValue }
    public init(_ run: DelayedRunID) { self.rawValue = run.rawValue }
}

extension UUID {
    /// `uuidString.lowercased()` written directly: ids are formatted for every history row and
    /// command, and Foundation formats through `snprintf` and then copies to lowercase.
    public var lowercaseString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                let digits: StaticString = "0123456789abcdef"
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits.utf8Start[Int(byte >> 4)]
                    text[position + 1] = digits.utf8Start[Int(byte & 0x0f)]
                    position += 2
                }
                return position
            }
        }
    }
}

extension UUID {
    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (hex digits in either case), the only form
    /// `UUID(uuidString:)` accepts, without its `sscanf`: reading 100,000 definitions at start-up
    /// parses 200,000 of them.
    public init?(canonicalText text: String) {
        var text = text
        let parsed: uuid_t? = text.withUTF8 { bytes in
            guard bytes.count == 36 else { return nil }
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var position = 0
            let ok = withUnsafeMutableBytes(of: &value) { out -> Bool in
                for index in 0..<16 {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard bytes[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = Self.hexDigit(bytes[position]), let low = Self.hexDigit(bytes[position + 1])
                    else { return false }
                    out[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return ok ? value : nil
        }
        guard let parsed else { return nil }
        self.init(uuid: parsed)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
