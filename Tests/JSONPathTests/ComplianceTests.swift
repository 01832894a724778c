import JSONPath
import Testing

/// Runs the RFC 9535 Compliance Test Suite (703 cases) against the query engine, which is also
/// the trigger-filter engine. A missing suite is a failure, never a skip: CI must not go green
/// without conformance.
@Suite("RFC 9535 compliance")
struct ComplianceTests {
    struct Outcome {
        var passed = 0
        var failures: [String] = []
    }

    static func runSuite() throws -> (total: Int, outcome: Outcome)? {
        let path = TestSupport.ctsPath()
        guard let bytes = TestSupport.readFile(path) else {
            Issue.record(
                "JSONPath CTS not found at \(path). Set SIGNALBOX_JSONPATH_CTS to cts.json or keep ../shared/testdata/jsonpath-cts beside the repo."
            )
            return nil
        }
        let suite = try JSONParser.parse(bytes)
        let tests = try #require(suite["tests"]?.arrayValue)
        var outcome = Outcome()
        for test in tests {
            let name = test["name"]?.stringValue ?? "?"
            let selector = test["selector"]?.stringValue ?? ""
            if test["invalid_selector"]?.boolValue == true {
                if (try? JSONPathQuery(parsing: selector)) == nil {
                    outcome.passed += 1
                } else {
                    outcome.failures.append("\(name): `\(selector)` should be rejected")
                }
                continue
            }
            let query: JSONPathQuery
            do {
                query = try JSONPathQuery(parsing: selector)
            } catch {
                outcome.failures.append("\(name): `\(selector)` rejected: \(error)")
                continue
            }
            let document = test["document"] ?? .null
            guard let nodes = try? query.select(in: document) else {
                outcome.failures.append("\(name): exceeded the evaluation budget")
                continue
            }
            let values = JSONValue.array(nodes.map(\.value))
            let paths = nodes.map { JSONValue.string($0.path.description) }
            var ok = false
            if let expected = test["result"] {
                ok = values == expected
                if ok, let expectedPaths = test["result_paths"]?.arrayValue { ok = paths == expectedPaths }
            } else if let alternatives = test["results"]?.arrayValue {
                let pathAlternatives = test["results_paths"]?.arrayValue
                for (i, alternative) in alternatives.enumerated() where values == alternative {
                    if let pathAlternatives, i < pathAlternatives.count {
                        if JSONValue.array(paths) == pathAlternatives[i] { ok = true }
                    } else {
                        ok = true
                    }
                }
            }
            if ok {
                outcome.passed += 1
            } else {
                outcome.failures.append("\(name): `\(selector)` gave \(values.jsonText) at \(JSONValue.array(paths).jsonText)")
            }
        }
        return (tests.count, outcome)
    }

    @Test("all CTS cases pass")
    func allCasesPass() throws {
        guard let (total, outcome) = try Self.runSuite() else { return }
        #expect(total == 703, "the vendored suite has 703 cases")
        #expect(outcome.failures.count == 0, "\(outcome.failures.count) CTS failures:\n\(outcome.failures.prefix(40).joined(separator: "\n"))")
        #expect(outcome.passed == total)
    }
}
