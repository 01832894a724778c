import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Testing

/// Every refusal is a JSON error with the right status, and nothing a client sends yields a 5xx.
@Suite struct ErrorResponseTests {
    @Test func missingOrBadTokenIs401() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            for token in [nil, "nope", "sbx_" + String(repeating: "A", count: 43), ""] as [String?] {
                let reply = try await client.call(.get, "/namespaces/production/automated-actions", token: token)
                #expect(reply.status == .unauthorized, "\(String(describing: token))")
                #expect(reply.error["code"].string == "unauthorized")
                #expect(reply.error["status"].int == 401)
                #expect(reply.headers[.wwwAuthenticate] != nil)
            }
            let basic = try await client.call(
                .get, "/namespaces/production/automated-actions", token: nil, headers: [.authorization: "Basic YWxhZGRpbjpvcGVu"])
            #expect(basic.status == .unauthorized)
        }
    }

    @Test func malformedJSONNamesLineAndColumn() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let body = "{\n  \"name\": \"x\",\n  \"actions\": [,]\n}"
            let reply = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: body)
            #expect(reply.status == .badRequest)
            #expect(reply.error["code"].string == "invalidInput")
            #expect(reply.error["field"].string == "body")
            #expect(reply.error["position"]["line"].int == 3)
            #expect(reply.error["position"]["column"].int == 15)
            #expect(reply.error["message"].string?.contains("line 3, column 15") == true)

            let unterminated = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: "{\"name\": \"x")
            #expect(unterminated.status == .badRequest)
            #expect(unterminated.error["position"]["column"].int == 10)
        }
    }

    @Test func wrongMembersNameTheField() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let missing = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: #"{"name": "a"}"#)
            #expect(missing.status == .badRequest)
            #expect(missing.error["field"].string == "actions")

            let wrongType = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.admin,
                body: #"{"name": "a", "actions": [{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": "one"}}}]}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.error["field"].string == "actions[0].config.version.version")

            let unknownType = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.admin,
                body: #"{"name": "a", "actions": [{"name": "x", "config": {"$type": "rocket"}}]}"#)
            #expect(unknownType.status == .unprocessableContent)
            #expect(unknownType.error["field"].string?.hasPrefix("actions[0].config") == true)

            let huge = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.admin,
                body: #"{"name": "a", "actions": [{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 1e999}}}]}"#)
            #expect(huge.status == .badRequest, "\(huge.text)")
        }
    }

    @Test func invalidFilterAndCronCarryPositions() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("a", token: env.admin)
            let filter = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers", token: env.admin,
                body: #"{"name": "t", "triggerType": "AppProcessUpdated", "eventFilter": "$.item.status = 'Finished'"}"#)
            #expect(filter.status == .unprocessableContent, "\(filter.text)")
            #expect(filter.error["field"].string == "eventFilter")
            #expect(filter.error["position"]["line"].int == 1)
            #expect(filter.error["position"]["column"].int != nil)

            let cron = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "s", "minute": "0", "hour": "25"}"#)
            #expect(cron.status == .unprocessableContent, "\(cron.text)")
            #expect(cron.error["field"].string == "hour")

            let never = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "s", "cron": "0 0 31 2 *"}"#)
            #expect(never.status == .unprocessableContent, "\(never.text)")
            #expect(never.error["field"].string == "cron")
            #expect(never.error["message"].string?.contains("never fires") == true, "\(never.text)")
            let neverFields = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin,
                body: #"{"name": "s", "minute": "0", "hour": "0", "dayOfMonth": "30", "month": "2"}"#)
            #expect(neverFields.status == .unprocessableContent, "\(neverFields.text)")
            #expect(neverFields.error["field"].string == "dayOfMonth")
            #expect(neverFields.error["hint"].string?.contains("February has at most 29 days") == true, "\(neverFields.text)")

            let badType = try await client.call(
                .post, "/automated-actions/by-id/\(id)/message-triggers", token: env.admin,
                body: #"{"name": "t", "triggerType": "Nope", "eventFilter": "$.a == 1"}"#)
            #expect(badType.status == .unprocessableContent)
            #expect(badType.error["field"].string == "triggerType")
        }
    }

    @Test func fromEventErrorsNameTheMemberAndTheQueryPosition() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            func items(_ value: String) -> String {
                #"[{"name": "x", "config": {"$type": "app", "version": {"id": "v", "version": 1}, "inputs": [{"name": "a", "value": "1"}, {"name": "b", "value": \#(value)}]}}]"#
            }
            let query = try await client.call(
                .post, "/namespaces/production/automated-actions", token: env.admin,
                body: #"{"name": "a", "actions": \#(items(#"{"to": {"$fromEvent": "$.item\n  .id["}}"#))}"#)
            #expect(query.status == .unprocessableContent, "\(query.text)")
            #expect(query.error["code"].string == "invalidValue")
            #expect(query.error["field"].string == "actions[0].config.inputs[1].value.to.$fromEvent")
            #expect(query.error["position"]["line"].int == 2)
            #expect(query.error["position"]["column"].int != nil)

            let id = try await client.createAction("b", token: env.admin)
            let notAString = try await client.call(
                .put, "/automated-actions/by-id/\(id)", token: env.admin, body: #"{"actions": \#(items(#"{"$fromEvent": 5}"#))}"#)
            #expect(notAString.status == .unprocessableContent, "\(notAString.text)")
            #expect(notAString.error["field"].string == "actions[0].config.inputs[1].value.$fromEvent")
            #expect(notAString.error["message"].string?.contains("must be a string") == true, "\(notAString.text)")

            let unknown = try await client.call(
                .put, "/automated-actions/by-id/\(id)", token: env.admin,
                body: #"{"actions": \#(items(#"{"$fromEvent": "$.item.id", "fallback": 1}"#))}"#)
            #expect(unknown.status == .unprocessableContent, "\(unknown.text)")
            #expect(unknown.error["field"].string == "actions[0].config.inputs[1].value.fallback")
        }
    }

    @Test func duplicateNameIs409AndSixthScheduleIs422() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("dup", token: env.admin)
            let again = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: Seed.action("dup"))
            #expect(again.status == .conflict)
            #expect(again.error["code"].string == "conflict")
            #expect(again.error["field"].string == "name")
            // Same name in another namespace is fine.
            _ = try await client.createAction("dup", namespace: "staging", token: env.admin)

            for index in 0..<5 {
                let reply = try await client.call(
                    .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "s\#(index)", "minute": "\#(index)"}"#)
                #expect(reply.status == .created, "\(reply.text)")
            }
            let sixth = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules", token: env.admin, body: #"{"name": "s6", "minute": "6"}"#)
            #expect(sixth.status == .unprocessableContent)
            #expect(sixth.error["code"].string == "limitExceeded")
        }
    }

    @Test func invalidParametersAre400() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("p", token: env.admin)
            let badID = try await client.call(.get, "/automated-actions/by-id/not-a-uuid", token: env.admin)
            #expect(badID.status == .badRequest)
            #expect(badID.error["field"].string == "id")
            let badSchedule = try await client.call(.post, "/automated-actions/by-id/\(id)/schedules/zzz/enable", token: env.admin)
            #expect(badSchedule.status == .badRequest)
            #expect(badSchedule.error["field"].string == "scheduleId")
            let unknownSchedule = try await client.call(
                .post, "/automated-actions/by-id/\(id)/schedules/00000000-0000-0000-0000-000000000000/enable", token: env.admin)
            #expect(unknownSchedule.status == .notFound)
            for limit in ["0", "-1", "abc", "1001", "99999999999999999999999", "1.5", ""] {
                let reply = try await client.call(.get, "/automated-actions/by-id/\(id)/history?limit=\(limit)", token: env.admin)
                #expect(reply.status == .badRequest, "limit=\(limit)")
                #expect(reply.error["field"].string == "limit")
            }
            let until = try await client.call(.get, "/automated-actions/upcoming?until=tomorrow", token: env.admin)
            #expect(until.status == .badRequest)
            #expect(until.error["field"].string == "until")
            let badNamespace = try await client.call(.get, "/namespaces/bad%20name/automated-actions", token: env.admin)
            #expect(badNamespace.status == .badRequest)
        }
    }

    @Test func unknownRoutesAndLargeBodies() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let unknown = try await client.call(.get, "/nope/nothing", token: env.admin)
            #expect(unknown.status == .notFound)
            #expect(unknown.error["code"].string == "notFound")
            let noToken = try await client.call(.get, "/nope", token: nil)
            #expect(noToken.status == .notFound)
            let wrongMethod = try await client.call(.patch, "/automated-actions/by-id/00000000-0000-0000-0000-000000000000", token: env.admin)
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.error["code"].string == "methodNotAllowed")

            let big = "{\"name\": \"" + String(repeating: "x", count: 2 << 20) + "\"}"
            let tooLarge = try await client.call(.post, "/namespaces/production/automated-actions", token: env.admin, body: big)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.error["code"].string == "payloadTooLarge")

            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            let tooDeep = try await client.call(.post, "/filters/test", token: env.admin, body: deep)
            #expect(tooDeep.status == .badRequest)
            #expect(tooDeep.error["message"].string?.contains("nested") == true)
        }
    }

    /// Garbage against every route: bodies, ids and query strings a fuzzer would send. Nothing
    /// may answer 5xx, and every refusal carries a JSON error code.
    @Test func garbageNeverYields5xx() async throws {
        let env = try await TestAPI.make()
        try await env.test { client in
            let id = try await client.createAction("target", token: env.admin)
            let ids = [id, "00000000-0000-0000-0000-000000000000", "x", "%", "%zz", "🙂", String(repeating: "a", count: 5000)]
            let bodies: [String?] = [
                nil, "", " ", "null", "0", "-", "[]", "{}", "\"s\"", "{\"a\":}", "{\"name\": 12}", "\u{0}\u{1}\u{2}",
                "{\"name\": \"n\", \"actions\": 5}", "{\"name\": \"\", \"actions\": []}",
                "{\"name\": \"n\", \"actions\": [], \"schedules\": [{\"name\": \"s\", \"cron\": \"@every 0s\"}]}",
                "{\"operation\": \"explode\", \"actionIds\": []}", "{\"operation\": \"pause\", \"actionIds\": [\"x\"]}",
                "{\"filter\": \"$.a == \", \"events\": [{}]}", "{\"filter\": \"$.a == 1\", \"events\": []}",
                "{\"name\": \"s\", \"cron\": \"* * * * * * * *\", \"timeZone\": \"Mars/Base\"}",
                "{\"name\": \"s\", \"minute\": \"99999999999999999999\"}",
                "{\"name\": \"t\", \"triggerType\": \"AppProcessUpdated\", \"eventFilter\": \"" + String(repeating: "(", count: 3000) + "\"}",
                "{\"status\": \"sleeping\"}", "{\"limit\": 1e400}",
            ]
            var paths: [(HTTPRequest.Method, String)] = [
                (.post, "/namespaces/production/automated-actions"), (.get, "/namespaces/production/automated-actions?limit=x&cursor=%%%"),
                (.get, "/namespaces/" + String(repeating: "n", count: 300) + "/automated-actions"),
                (.get, "/automated-actions/upcoming?limit=-5&until=2026-13-45T99:00:00Z"), (.post, "/automated-actions/bulk"),
                (.post, "/filters/test"), (.get, "/namespaces/production/automated-actions/%ff%fe"),
            ]
            for target in ids {
                paths += [
                    (.get, "/automated-actions/by-id/\(target)"), (.put, "/automated-actions/by-id/\(target)"),
                    (.post, "/automated-actions/by-id/\(target)/schedules"), (.post, "/automated-actions/by-id/\(target)/message-triggers"),
                    (.post, "/automated-actions/by-id/\(target)/schedules/\(target)/enable"),
                    (.delete, "/automated-actions/by-id/\(target)/message-triggers/\(target)"),
                    (.post, "/automated-actions/by-id/\(target)/trigger"), (.get, "/automated-actions/by-id/\(target)/history?limit=1e3"),
                    (.post, "/automated-actions/by-id/\(target)/pause"),
                ]
            }
            var sent = 0
            for (method, path) in paths {
                for body in bodies {
                    let reply = try await client.call(method, path, token: env.member, body: body)
                    sent += 1
                    #expect(reply.status.code < 500, "\(method) \(path) \(body ?? "<none>") → \(reply.status.code) \(reply.text)")
                    if reply.status.code >= 400 {
                        #expect(reply.error["code"].string != nil, "\(method) \(path) → \(reply.text)")
                        #expect(reply.error["message"].string != nil)
                    }
                }
            }
            #expect(sent > 1000)
        }
    }
}
