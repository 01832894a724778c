import Automation
import Foundation
import JSONPath
import Testing

/// Which ProcessUpdated statuses move a run, and which result a completion keeps.
@Suite struct ExecutionResultTests {
    static func event(_ item: String, extra: String = "") throws -> Event {
        let processId = CommandPlanner.processID(for: CommandPlanner().commandID(eventId: "e", cause: .manual, itemIndex: 0))
        let body = #"{"type":"AppProcessUpdated","id":"evt","tenantId":"default","item":{"id":"\#(processId)",\#(item)}\#(extra)}"#
        return try Event(messageId: nil, routingKey: "AppProcessUpdated", body: try JSONParser.parse(body))
    }

    @Test func startedAndRunningMarkARunAndTheEndsCloseIt() throws {
        #expect(try Self.event(#""status":"Started""#).completion?.outcome == .running)
        #expect(try Self.event(#""status":"Running""#).completion?.outcome == .running)
        #expect(try Self.event(#""status":"Finished""#).completion?.outcome == .success)
        #expect(try Self.event(#""status":"Killed""#).completion?.outcome == .failed)
        #expect(try Self.event(#""status":"Queued""#).completion == nil)
        #expect(try Self.event(#""status":"Running","output":{"x":1}"#).completion?.result == nil, "a start keeps no result")
    }

    @Test func theResultIsTheOutputOrResultFieldUpTo16KiB() throws {
        let output = try #require(try Self.event(#""status":"Finished","output":{"rows":3}"#).completion?.result)
        #expect(output.jsonText == #"{"rows":3}"#)
        let result = try #require(try Self.event(#""status":"Error","result":"partial""#).completion?.result)
        #expect(result == .string("partial"))
        let topLevel = try #require(try Self.event(#""status":"Finished""#, extra: #","output":[1,2]"#).completion?.result)
        #expect(topLevel.jsonText == "[1,2]")
        #expect(try Self.event(#""status":"Finished""#).completion?.result == nil)

        let large = String(repeating: "x", count: ExecutionResult.maximumBytes)
        let omitted = try #require(try Self.event(#""status":"Finished","output":"\#(large)""#).completion?.result)
        #expect(omitted["omitted"]?.stringValue?.contains("at most 16384") == true)
        #expect(omitted["bytes"] == .int(ExecutionResult.maximumBytes + 2))
    }
}
