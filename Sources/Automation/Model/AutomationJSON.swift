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

    /// A decoder reading ISO 8601 dates.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
