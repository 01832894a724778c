import Automation
import Foundation
import Testing

/// Webhooks and their credentials, against both stores.
@Suite("Contract: webhooks")
struct WebhookContractTests {
    static func webhook(_ name: String, enabled: Bool = true) -> WebhookTrigger {
        WebhookTrigger(
            name: name, isEnabled: enabled, filter: "$.payload.a == 1", allowSecretParameter: true,
            rateLimit: WebhookRateLimit(perSecond: 2.5, burst: 9), dateCreated: at(1))
    }

    @Test(arguments: StoreKind.allCases)
    func aWebhookIsStoredWithTheActionAndItsCredentialsApart(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("hooked")
            try await store.insertAction(action)
            let first = Self.webhook("first"), second = Self.webhook("second", enabled: false)
            let secret = WebhookSecret.generate()
            _ = try await store.insertWebhook(first, credentials: WebhookCredentials(secret: secret), actionId: action.id, tenant: acme, limit: 2, at: at(2))
            let stored = try await store.insertWebhook(
                second, credentials: WebhookCredentials(secret: .generate()), actionId: action.id, tenant: acme, limit: 2, at: at(3))
            #expect(stored.webhooks == [first, second])
            #expect(stored.dateUpdated == at(3))
            let over = await automationError {
                try await store.insertWebhook(Self.webhook("third"), credentials: WebhookCredentials(secret: .generate()), actionId: action.id, tenant: acme, limit: 2, at: at(4))
            }
            #expect(over?.code == .limitExceeded && over?.field == "webhooks")
            #expect(try await store.action(id: action.id, tenant: acme)?.webhooks == [first, second])

            let target = try #require(try await store.webhookTarget(id: first.id))
            #expect(target.webhook == first && target.action.id == action.id)
            #expect(target.credentials.secret == secret)
            #expect(try await store.webhookTarget(id: .random()) == nil)

            // Editing the action keeps webhooks and credentials.
            var renamed = stored
            renamed.name = "renamed"
            _ = try await store.updateAction(renamed)
            #expect(try await store.webhookTarget(id: first.id)?.credentials.secret == secret)

            var disabled = first
            disabled.isEnabled = false
            #expect(try await store.updateWebhook(disabled, actionId: action.id, tenant: acme, at: at(5)).webhooks.first == disabled)
            #expect(await automationError { try await store.updateWebhook(first, actionId: action.id, tenant: globex, at: at(5)) }?.code == .notFound)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rotationKeepsThePreviousSecretUntilItsExpiry(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("rotated")
            try await store.insertAction(action)
            let hook = Self.webhook("hook")
            let old = WebhookSecret.generate(), new = WebhookSecret.generate()
            _ = try await store.insertWebhook(hook, credentials: WebhookCredentials(secret: old), actionId: action.id, tenant: acme, limit: 5, at: at(1))
            let rotated = try await store.rotateWebhookSecret(to: new, webhookId: hook.id, actionId: action.id, tenant: acme, at: at(10), grace: 60)
            #expect(rotated.secret == new && rotated.previousSecret == old && rotated.previousSecretExpiresAt == at(70))
            let stored = try #require(try await store.webhookTarget(id: hook.id)).credentials
            #expect(stored == rotated)
            #expect(stored.secrets(at: at(69)) == [new, old])
            #expect(stored.secrets(at: at(70)) == [new])
            #expect(
                await automationError {
                    try await store.rotateWebhookSecret(to: .generate(), webhookId: hook.id, actionId: action.id, tenant: globex, at: at(11), grace: 0)
                }?.code == .notFound, "another tenant's webhook")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func removingAWebhookOrItsActionForgetsItsCredentials(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("removed")
            try await store.insertAction(action)
            let kept = Self.webhook("kept"), removed = Self.webhook("removed")
            for hook in [kept, removed] {
                _ = try await store.insertWebhook(hook, credentials: WebhookCredentials(secret: .generate()), actionId: action.id, tenant: acme, limit: 5, at: at(1))
            }
            #expect(try await store.deleteWebhook(id: removed.id, actionId: action.id, tenant: acme, at: at(2)).webhooks == [kept])
            #expect(try await store.webhookTarget(id: removed.id) == nil)
            #expect(await automationError { try await store.deleteWebhook(id: removed.id, actionId: action.id, tenant: acme, at: at(3)) }?.code == .notFound)
            #expect(try await store.deleteAction(id: action.id, tenant: acme))
            #expect(try await store.webhookTarget(id: kept.id) == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anActionWrittenFromAnOlderReadKeepsTheWebhooksAddedSince(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let action = makeAction("raced")
            try await store.insertAction(action)
            let readBefore = try #require(try await store.action(id: action.id, tenant: acme))
            let hook = Self.webhook("added meanwhile")
            let secret = WebhookSecret.generate()
            _ = try await store.insertWebhook(hook, credentials: WebhookCredentials(secret: secret), actionId: action.id, tenant: acme, limit: 5, at: at(2))
            var paused = readBefore
            paused.status = .paused
            let stored = try await store.updateAction(paused)
            #expect(stored.webhooks == [hook] && stored.status == .paused)
            #expect(try await store.webhookTarget(id: hook.id)?.credentials.secret == secret, "its credentials too")
        }
    }
}
