import Logging
import PostgresNIO

extension PostgresConnection {
    /// The single integer a query returns (a count, a version); 0 when it returns no row.
    func integer(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        for try await value in try await self.query(query, logger: logger).decode(Int.self) { return value }
        return 0
    }

    /// How many rows a statement returns: for a write, one per row changed (`… RETURNING 1`).
    func changes(_ query: PostgresQuery, logger: Logger) async throws -> Int {
        var count = 0
        for try await _ in try await self.query(query, logger: logger) { count += 1 }
        return count
    }

    /// The strings of a query's first column, in order.
    func strings(_ query: PostgresQuery, logger: Logger) async throws -> [String] {
        var values: [String] = []
        for try await value in try await self.query(query, logger: logger).decode(String.self) { values.append(value) }
        return values
    }
}
