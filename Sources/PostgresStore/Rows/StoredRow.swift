import Automation
import Foundation
import JSONPath
import PostgresNIO

/// Typed reads of a row's columns by name (UUIDs, instants, enum raw values, JSON text), throwing
/// ``PostgresStoreError/isCorruptValue`` rather than trapping when a value was written around the
/// store. The error names the table and column, never the value.
struct StoredRow {
    private let row: PostgresRandomAccessRow
    let table: String

    init(_ row: PostgresRow, table: String) {
        self.row = row.makeRandomAccess()
        self.table = table
    }

    func value<Value: PostgresDecodable>(_ column: String, as _: Value.Type = Value.self) throws -> Value {
        do {
            return try row[column].decode(Value.self)
        } catch {
            throw PostgresStoreError.corruptValue(table: table, column: column, reason: "not a \(Value.self)")
        }
    }

    func id<ID: UUIDIdentifier>(_ column: String, as _: ID.Type = ID.self) throws -> ID {
        ID(rawValue: try value(column, as: UUID.self))
    }

    func optionalID<ID: UUIDIdentifier>(_ column: String, as _: ID.Type = ID.self) throws -> ID? {
        try value(column, as: UUID?.self).map(ID.init(rawValue:))
    }

    func enumeration<Value: RawRepresentable>(_ column: String, as _: Value.Type = Value.self) throws -> Value where Value.RawValue == String {
        guard let known = Value(rawValue: try value(column, as: String.self)) else {
            throw PostgresStoreError.corruptValue(table: table, column: column, reason: "unknown value")
        }
        return known
    }

    /// JSON text decoded in the coding the REST API uses (ISO-8601 dates).
    func json<Value: Decodable>(_ column: String, as _: Value.Type = Value.self) throws -> Value {
        try StoredJSON.decode(Value.self, from: try value(column, as: String.self), table: table, column: column)
    }

    func optionalJSON<Value: Decodable>(_ column: String, as _: Value.Type = Value.self) throws -> Value? {
        try value(column, as: String?.self).map { try StoredJSON.decode(Value.self, from: $0, table: table, column: column) }
    }

    /// JSON text parsed as a ``JSONValue`` (member order kept); nil for NULL.
    func jsonValue(_ column: String) throws -> JSONValue? {
        try value(column, as: String?.self).map { try StoredJSON.parse($0, table: table, column: column) }
    }
}

/// The JSON columns: written in the REST API's coding, read back with errors that name the column.
enum StoredJSON {
    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try AutomationJSON.encoder().encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_: Value.Type, from text: String, table: String, column: String) throws -> Value {
        do {
            return try AutomationJSON.decoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw PostgresStoreError.corruptValue(table: table, column: column, reason: "JSON does not decode")
        }
    }

    static func parse(_ text: String, table: String, column: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(text)
        } catch {
            throw PostgresStoreError.corruptValue(table: table, column: column, reason: "JSON does not parse")
        }
    }
}

extension PostgresRowSequence {
    /// Every row, read by ``StoredRow``.
    func stored<Value>(table: String, _ read: (StoredRow) throws -> Value) async throws -> [Value] {
        var values: [Value] = []
        for try await row in self { values.append(try read(StoredRow(row, table: table))) }
        return values
    }

    /// The first row, read by ``StoredRow``; nil when there is none.
    func first<Value>(table: String, _ read: (StoredRow) throws -> Value) async throws -> Value? {
        for try await row in self { return try read(StoredRow(row, table: table)) }
        return nil
    }
}
