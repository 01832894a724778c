import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// `$fromPrevious` is refused where no previous item exists: in a parallel action and in the
/// first item of a sequence, at create, at update (items or execution changed) and in apply.
@Suite struct SequenceValidationTests {
    static func items(firstReads: Bool) -> String {
        let previous = #"{"$fromPrevious": "$.item.output.file"}"#
        func item(_ name: String, _ value: String) -> String {
            #"{"name": "\#(name)", "config": {"$type": "app", "version": {"id": "app-1", "version": 1}, "inputs": [{"name": "file", "value": \#(value)}]}}"#
        }
        return "[" + item("Extract", firstReads ? previous : #""in.csv""#) + ", " + item("Convert", previous) + "]"
    }

    @Test func fromPreviousIsRefusedWhereThereIsNoPreviousItem() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let parallel = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.member,
                body: #"{"name": "chain", "actions": \#(Self.items(firstReads: false))}"#)
            #expect(parallel.status == .unprocessableContent, "\(parallel.text)")
            #expect(parallel.json["error"]["field"].string == "actions[1].config.inputs[0].value.$fromPrevious", "\(parallel.text)")
            #expect(parallel.json["error"]["message"].string?.contains("in parallel") == true, "\(parallel.text)")

            let first = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.member,
                body: #"{"name": "chain", "execution": "sequential", "actions": \#(Self.items(firstReads: true))}"#)
            #expect(first.status == .unprocessableContent)
            #expect(first.json["error"]["field"].string == "actions[0].config.inputs[0].value.$fromPrevious", "\(first.text)")

            let sequence = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.member,
                body: #"{"name": "chain", "execution": "sequential", "actions": \#(Self.items(firstReads: false))}"#)
            #expect(sequence.status == .created, "\(sequence.text)")
            let id = try #require(sequence.json["id"].string)
            let toParallel = try await client.call(
                .put, "/automated-actions/by-id/\(id)", token: env.member, body: #"{"execution": "parallel"}"#)
            #expect(toParallel.status == .unprocessableContent, "a sequence reading the previous item cannot become parallel: \(toParallel.text)")
            let kept = try await client.call(.get, "/automated-actions/by-id/\(id)", token: env.member)
            #expect(kept.json["execution"].string == "sequential")

            let applied = try await client.call(
                .post, "/definitions/apply", token: env.admin,
                body: #"{"namespace": "production", "automatedActions": [{"name": "applied-chain", "actions": \#(Self.items(firstReads: false))}]}"#)
            #expect(applied.status == .unprocessableContent, "\(applied.text)")
            #expect(applied.json["error"]["message"].string?.contains("in parallel") == true, "\(applied.text)")
        }
    }
}
