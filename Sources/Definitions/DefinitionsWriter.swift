import Automation
import Foundation
import Yams

/// Writes definitions as YAML, the way `signalbox export` prints them: the document applied again
/// changes nothing.
public enum DefinitionsWriter {
    public static func yaml(_ document: DefinitionsDocument) throws -> String {
        let encoder = YAMLEncoder()
        encoder.options.sortKeys = false
        return "# Signalbox definitions: signalbox apply -f FILE (docs/definitions-as-code.md)\n" + (try encoder.encode(document))
    }
}
