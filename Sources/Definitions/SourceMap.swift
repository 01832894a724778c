/// Where each member of one definition was written: paths relative to the definition
/// (`""` for the definition itself, `schedules[0].cron`) to their line and column. A path not
/// written (a default, a member of a value built from seed 002's task form) is located at its
/// nearest written ancestor.
public struct SourceMap: Hashable, Sendable {
    public struct Location: Hashable, Sendable {
        public var line: Int
        public var column: Int

        public init(line: Int, column: Int) {
            self.line = line
            self.column = column
        }
    }

    /// The file the definition is in, as given (or relative to the directory).
    public var file: String
    /// The path of the definition in its document (`automatedActions[2]`, `Tasks[0]`), for messages.
    public var documentPath: String
    var locations: [String: Location] = [:]
    /// For a definition built from another form: a path of the definition to the path written
    /// (`schedules[0].cron` → `Schedule`); the longest matching prefix wins.
    var aliases: [String: String] = [:]

    public init(file: String, documentPath: String) {
        self.file = file
        self.documentPath = documentPath
    }

    mutating func record(_ path: String, _ location: Location?) {
        if let location { locations[path] = location }
    }

    /// The location of `path`, or of its nearest recorded ancestor.
    public func location(of path: String) -> Location? {
        var current = written(path)
        while true {
            if let location = locations[current] { return location }
            guard !current.isEmpty else { return nil }
            current = Self.parent(of: current)
        }
    }

    /// The written path for a path of the definition: itself, or what an alias maps it to.
    public func written(_ path: String) -> String {
        var best: (prefix: String, target: String)?
        for (prefix, target) in aliases where path == prefix || path.hasPrefix(prefix + ".") || path.hasPrefix(prefix + "[") {
            if prefix.count > (best?.prefix.count ?? -1) { best = (prefix, target) }
        }
        guard let best else { return path }
        return best.target + path.dropFirst(best.prefix.count)
    }

    /// An error at `path` of this definition.
    public func error(at path: String, _ message: String) -> DefinitionsError {
        let location = location(of: path)
        let writtenPath = written(path)
        let field = documentPath + (writtenPath.isEmpty ? "" : (writtenPath.hasPrefix("[") ? "" : ".") + writtenPath)
        return DefinitionsError(file: file, line: location?.line, column: location?.column, field: field, message: message)
    }

    /// `a.b[2]` → `a.b`; `a.b` → `a`; `a` → ``.
    static func parent(of path: String) -> String {
        guard let last = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return "" }
        return String(path[..<last])
    }
}
