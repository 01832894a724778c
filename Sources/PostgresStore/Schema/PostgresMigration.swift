/// One forward-only step of the schema: statements run in order, in the runner's transaction.
///
/// Never edit a shipped migration: add the next version. The runner records each applied version
/// in `schema_migrations`, so a database says which of these it has.
public struct PostgresMigration: Hashable, Sendable {
    /// 1, 2, 3…: the order they apply in, and the schema version once applied.
    public let version: Int
    /// What it does, for people (stored beside the version).
    public let name: String
    /// One statement each: postgres-nio sends them with the extended protocol, which takes one
    /// statement per query. Separate statements also let an error name the one that failed.
    let statements: [String]

    init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}
