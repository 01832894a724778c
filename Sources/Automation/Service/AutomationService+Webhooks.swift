import Foundation
import JSONPath

extension AutomationService {
    // MARK: Managing webhooks

    /// Adds a webhook to an action (`POST …/webhooks`, `action-webhook-add`) with a new secret,
    /// which this answer shows once.
    public func addWebhook(
        _ request: AddWebhookRequest, to reference: ActionReference, as caller: Caller
    ) async throws(AutomationError) -> WebhookWithSecret {
        let action = try await resolveEditable(reference, caller)
        let now = now()
        let (webhook, warnings) = try AutomationValidator.makeWebhook(request, at: now, filterTextBytes: limits.filterTextBytes)
        if action.webhooks.count >= limits.webhooksPerAction {
            throw .limitExceeded("an action can have at most \(limits.webhooksPerAction) webhooks", field: "webhooks")
        }
        let secret = WebhookSecret.generate()
        _ = try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.insertWebhook(
                webhook, credentials: WebhookCredentials(secret: secret), actionId: action.id, tenant: caller.tenantId,
                limit: limits.webhooksPerAction, at: now)
        }
        return WebhookWithSecret(webhook: webhook, secret: secret, warnings: warnings)
    }

    /// An action's webhooks, without their secrets.
    public func webhooks(of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> [WebhookTrigger] {
        try await resolve(reference, caller).webhooks
    }

    /// One webhook of an action, without its secret.
    public func webhook(_ id: WebhookID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> WebhookTrigger {
        try Self.webhook(id, in: try await resolve(reference, caller))
    }

    /// Enables a webhook: calls run the action again.
    public func enableWebhook(_ id: WebhookID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> WebhookTrigger {
        try await setWebhookEnabled(true, id, reference, caller)
    }

    /// Disables a webhook: calls are answered 404 until it is enabled.
    public func disableWebhook(_ id: WebhookID, of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> WebhookTrigger {
        try await setWebhookEnabled(false, id, reference, caller)
    }

    /// Removes a webhook and its secrets. Admin only.
    public func removeWebhook(_ id: WebhookID, from reference: ActionReference, as caller: Caller) async throws(AutomationError) {
        try requireAdmin(caller, "remove webhooks")
        let action = try await resolveEditable(reference, caller)
        _ = try Self.webhook(id, in: action)
        let now = now()
        _ = try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.deleteWebhook(id: id, actionId: action.id, tenant: caller.tenantId, at: now)
        }
    }

    /// Issues a new secret for a webhook; the one it replaces keeps working for the request's
    /// grace (default 24 h), so senders can switch without losing calls.
    public func rotateWebhookSecret(
        _ id: WebhookID, of reference: ActionReference, _ request: RotateWebhookSecretRequest = RotateWebhookSecretRequest(),
        as caller: Caller
    ) async throws(AutomationError) -> WebhookWithSecret {
        let grace = request.graceSeconds ?? RotateWebhookSecretRequest.defaultGrace
        guard (0...RotateWebhookSecretRequest.maximumGrace).contains(grace) else {
            throw .invalidValue(
                "graceSeconds must be 0 to \(RotateWebhookSecretRequest.maximumGrace) (7 days)", field: "graceSeconds")
        }
        // Not a definition change: a file-managed action's webhook rotates too (the only way to
        // learn the secret of one a definitions directory created).
        let action = try await resolve(reference, caller)
        try action.requireEditable()
        let webhook = try Self.webhook(id, in: action)
        let now = now()
        let secret = WebhookSecret.generate()
        let credentials = try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.rotateWebhookSecret(
                to: secret, webhookId: id, actionId: action.id, tenant: caller.tenantId, at: now, grace: TimeInterval(grace))
        }
        return WebhookWithSecret(webhook: webhook, secret: secret, previousSecretExpiresAt: credentials.previousSecretExpiresAt)
    }

    private func setWebhookEnabled(
        _ enabled: Bool, _ id: WebhookID, _ reference: ActionReference, _ caller: Caller
    ) async throws(AutomationError) -> WebhookTrigger {
        let action = try await resolveEditable(reference, caller)
        var webhook = try Self.webhook(id, in: action)
        webhook.isEnabled = enabled
        let now = now()
        let changed = webhook
        _ = try await mutation(of: action.id, tenant: caller.tenantId) {
            try await store.updateWebhook(changed, actionId: action.id, tenant: caller.tenantId, at: now)
        }
        return changed
    }

    private static func webhook(_ id: WebhookID, in action: AutomatedAction) throws(AutomationError) -> WebhookTrigger {
        guard let webhook = action.webhook(id) else { throw .notFound("webhook \(id) does not exist", field: "webhookId") }
        return webhook
    }

    // MARK: Calls

    /// The webhook a call to `/hooks/{id}` addresses, with what authenticates it; `notFound`
    /// when there is none or it is disabled (both answer the same, so a caller learns nothing
    /// about webhooks it cannot use). Served from ``WebhookTargetCache`` when read within its
    /// lifetime and the action did not change through this service since.
    public func webhookTarget(_ id: WebhookID) async throws(AutomationError) -> WebhookTarget {
        let now = clock.now()
        let (cached, generation) = webhookTargets.target(id, at: now)
        if let cached { return cached }
        let target = try await storeCall { try await store.webhookTarget(id: id) }
        guard let target, target.webhook.isEnabled else { throw .notFound("no webhook at this address") }
        webhookTargets.keep(target, at: now, readSince: generation)
        return target
    }

    /// Runs the action of an authenticated call through the run path (``ActionRunner``): one
    /// `Webhook` history entry per item and one command each, confirmed before this returns —
    /// unless the action is paused, the webhook's filter does not hold for the call's event, or a
    /// call with the same `webhook-id` already ran it (then its run is answered again).
    public func receiveWebhook(_ call: WebhookCall, for target: WebhookTarget) async throws(AutomationError) -> WebhookReceipt {
        let (action, webhook) = (target.action, target.webhook)
        if let messageID = call.messageID {
            try Self.validateHeaderToken(messageID, maximumLength: WebhookCall.maximumMessageIDLength, field: "webhook-id", what: "webhook-id")
        }
        let eventId = call.messageID.map { Event.webhookEventID(webhook.id, messageID: $0) } ?? UUID().uuidString.lowercased()
        guard action.status.runsAutomatically else {
            let outcome: WebhookReceipt.Outcome = action.status == .paused ? .paused : .inactive
            return WebhookReceipt(outcome: outcome, webhookId: webhook.id, eventId: eventId)
        }
        let payload = call.isJSON ? try Self.payload(of: call.body) : .string(String(decoding: call.body, as: UTF8.self))
        let event = Event.webhook(
            webhook, of: action, id: eventId, messageID: call.messageID, receivedAt: now(), headers: call.eventHeaders, payload: payload)
        if let filter = try target.compiledFilter() {
            let holds: Bool
            do {
                holds = try filter.evaluate(event.body, budget: limits.filterWorkBudget)
            } catch {
                throw AutomationValidator.overBudget(error, on: "this payload")
            }
            if !holds { return WebhookReceipt(outcome: .filtered, webhookId: webhook.id, eventId: eventId) }
        }
        if let delay = webhook.delay {
            // A delayed run instead; a call retried with its webhook-id finds the one it stored.
            let run = DelayedRun(
                tenantId: action.tenantId, actionId: action.id, key: target.key.read(in: event.body),
                dueAt: now().addingTimeInterval(TimeInterval(delay.seconds)), payload: event.body, dateCreated: now())
            let stored = try await storeCall {
                try await store.insertDelayedRun(run, requestKey: call.messageID.map { "webhook:\($0)" }, limit: limits.delayedRunsPerAction)
            }
            if stored.created { observer?.delayedRunScheduled(stored.run.due) }
            return WebhookReceipt(outcome: .scheduled, webhookId: webhook.id, eventId: eventId, delayedRun: stored.run)
        }
        if webhook.cancels != nil {
            var cancelled: [DelayedRunID] = []
            if let key = target.key.read(in: event.body) {
                let now = now()
                cancelled = try await storeCall {
                    try await store.cancelDelayedRuns(actionId: action.id, tenant: action.tenantId, ids: nil, key: key, at: now)
                }.map(\.id)
                if !cancelled.isEmpty { observer?.delayedRunsCancelled(cancelled) }
            }
            return WebhookReceipt(outcome: .cancelled, webhookId: webhook.id, eventId: eventId, cancelledRuns: cancelled)
        }
        // A call retried with its webhook-id finds its runs recorded, in the same transaction that
        // would record them: it is answered with the first call's run, and nothing is published.
        let outcome: WebhookReceipt.Outcome
        let stored: [ExecutionHistoryEntry]
        switch try await runNow(action, cause: .webhook(webhook.id), event: event, key: nil) {
        case .ran(let entries): (outcome, stored) = (.started, entries)
        case .replayed(let entries): (outcome, stored) = (.replayed, entries)
        case .heldBy: throw .unavailable("the run was not started")  // no key was given
        }
        // Runs of an action deleted while they were planned are dropped by the run path.
        if stored.isEmpty && !action.actions.isEmpty { throw .notFound("no webhook at this address") }
        return WebhookReceipt(
            outcome: outcome, webhookId: webhook.id, eventId: eventId, processIds: stored.filter(\.startedAProcess).map(\.processId),
            entries: stored)
    }

    /// The call's JSON (null for an empty body); not JSON is `invalidInput` at its line:column.
    static func payload(of body: [UInt8]) throws(AutomationError) -> JSONValue {
        guard body.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else { return .null }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw AutomationError(invalidJSON: error, in: body)
        }
    }
}
