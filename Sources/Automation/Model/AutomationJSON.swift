import Foundation

/// The JSON coding the seed's bodies use: ISO 8601 timestamps in UTC (`2026-01-05T10:00:00Z`).
/// Domain timestamps are whole seconds, so nothing is lost. Use these for every Automation type
/// crossing the REST API, the CLI or a JSON column.
public enum AutomationJSON {
    /// An encoder writing ISO 8601 dates; `pretty` adds indentation and sorted keys (CLI `--json`).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        return encoder
    }

    /// A decoder reading RFC 3339 dates (``RFC3339Instant``); one that does not read is a
    /// `dataCorrupted` error at its member.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339Instant.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 date-time such as 2026-01-05T10:00:00Z, got \"\(text.prefix(64))\"")
            }
            return date
        }
        return decoder
    }
}
