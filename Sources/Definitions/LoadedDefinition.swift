import Automation
import Foundation

/// A definition read from a file, with where its members were written.
public struct LoadedDefinition: Hashable, Sendable {
    public var definition: ActionDefinition
    public var source: SourceMap

    public init(definition: ActionDefinition, source: SourceMap) {
        self.definition = definition
        self.source = source
    }
}

/// The definitions of a file or directory, in order (files by path, documents and entries as
/// written): what `apply` sends and `serve` applies.
public struct DefinitionSet: Hashable, Sendable {
    public var entries: [LoadedDefinition]

    public init(entries: [LoadedDefinition]) {
        self.entries = entries
    }

    public var definitions: [ActionDefinition] { entries.map(\.definition) }

    /// The apply request for these definitions.
    public func request(dryRun: Bool = false, prune: Bool = false, namespace: NamespaceName? = nil) -> ApplyDefinitionsRequest {
        ApplyDefinitionsRequest(automatedActions: definitions, dryRun: dryRun, prune: prune, namespace: namespace)
    }

    /// Where a field the server names (`automatedActions[3].schedules[0].cron`, as in an
    /// ``AutomationError``) was written; nil when the field names no entry of this set.
    public func locate(field: String?, message: String) -> DefinitionsError? {
        guard let field, field.hasPrefix("automatedActions[") else { return nil }
        let afterBracket = field.dropFirst("automatedActions[".count)
        guard let close = afterBracket.firstIndex(of: "]"), let index = Int(afterBracket[..<close]), entries.indices.contains(index) else {
            return nil
        }
        var rest = String(afterBracket[afterBracket.index(after: close)...])
        if rest.hasPrefix(".") { rest.removeFirst() }
        // The server's message repeats the field; the position says it already.
        var text = message
        if text.hasPrefix(field) { text = String(text.dropFirst(field.count)).trimmingCharacters(in: CharacterSet(charactersIn: ": ")) }
        return entries[index].source.error(at: rest, text.isEmpty ? message : text)
    }
}
