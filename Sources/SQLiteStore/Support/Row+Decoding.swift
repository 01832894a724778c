import Automation
import Foundation
import GRDB
import JSONPath

/// Typed reads of the store's column encodings (UUID text, epoch dates, enum raw values, JSON),
/// throwing ``SQLiteStoreError`` rather than trapping when a value was written around the store.
extension Row {
    func identifier<ID: UUIDIdentifier>(_: ID.Type, _ column: String, table: String) throws -> ID {
        let text: String = try decode(forColumn: column)
        guard let id = ID(text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "not a UUID")
        }
        return id
    }

    func identifier<ID: UUIDIdentifier>(_: ID.Type, atIndex index: Int, column: String, table: String) throws -> ID {
        let text: String = try decode(atIndex: index)
        guard let id = ID(text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "not a UUID")
        }
        return id
    }

    func optionalIdentifier<ID: UUIDIdentifier>(_: ID.Type, _ column: String, table: String) throws -> ID? {
        guard let text: String = try decode(forColumn: column) else { return nil }
        guard let id = ID(text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "not a UUID")
        }
        return id
    }

    func date(_ column: String) throws -> Date {
        StoredDate.date(try decode(Double.self, forColumn: column))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try decode(Double?.self, forColumn: column).map(StoredDate.date)
    }

    func enumeration<Value: RawRepresentable>(_: Value.Type, _ column: String, table: String) throws -> Value
    where Value.RawValue == String {
        let text: String = try decode(forColumn: column)
        guard let value = Value(rawValue: text) else {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "unknown value")
        }
        return value
    }

    func json<Value: Decodable>(_: Value.Type, _ column: String, table: String) throws -> Value {
        let text: String = try decode(forColumn: column)
        do {
            return try AutomationJSON.decoder().decode(Value.self, from: Data(text.utf8))
        } catch {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "JSON does not decode")
        }
    }

    /// JSON text parsed as a ``JSONValue`` (member order kept); nil for NULL.
    func optionalJSONValue(_ column: String, table: String) throws -> JSONValue? {
        guard let text: String = try decode(forColumn: column) else { return nil }
        do {
            return try JSONParser.parse(text)
        } catch {
            throw SQLiteStoreError.corruptValue(table: table, column: column, reason: "JSON does not parse")
        }
    }

    /// ``json(_:_:table:)`` of a nullable column.
    func optionalJSON<Value: Decodable>(_: Value.Type, _ column: String, table: String) throws -> Value? {
        let text: String? = try decode(forColumn: column)
        guard text != nil else { return nil }
        return try json(Value.self, column, table: table)
    }
}

/// JSON text for a JSON column, in the coding the REST API uses (ISO-8601 dates).
func jsonText(_ value: some Encodable) throws -> String {
    String(decoding: try AutomationJSON.encoder().encode(value), as: UTF8.self)
}
