import Foundation

/// The signing secret of an action's `webhook` items: receivers verify Signalbox's requests with
/// it, as they would any Standard Webhooks sender's.
extension AutomationService {
    /// The action's signing secret (created on first use), with the previous one while a rotation's
    /// grace lasts.
    public func signingSecret(of reference: ActionReference, as caller: Caller) async throws(AutomationError) -> SigningSecret {
        let action = try await resolve(reference, caller)
        let now = now()
        let credentials = try await storeCall {
            try await store.signingCredentials(actionId: action.id, tenant: caller.tenantId, creating: .generate(), at: now)
        }
        return SigningSecret(credentials, at: now)
    }

    /// Issues a new signing secret; requests are signed with both for the grace (default 24 h),
    /// so receivers can switch without refusing any.
    public func rotateSigningSecret(
        of reference: ActionReference, _ request: RotateWebhookSecretRequest = RotateWebhookSecretRequest(), as caller: Caller
    ) async throws(AutomationError) -> SigningSecret {
        let grace = request.graceSeconds ?? RotateWebhookSecretRequest.defaultGrace
        guard (0...RotateWebhookSecretRequest.maximumGrace).contains(grace) else {
            throw .invalidValue("graceSeconds must be 0 to \(RotateWebhookSecretRequest.maximumGrace) (7 days)", field: "graceSeconds")
        }
        // Runs and secrets are not definitions: allowed on file-managed actions, not on archived ones.
        let action = try await resolve(reference, caller)
        try action.requireEditable()
        let now = now()
        let credentials = try await storeCall {
            try await store.rotateSigningSecret(
                to: .generate(), actionId: action.id, tenant: caller.tenantId, at: now, grace: TimeInterval(grace))
        }
        return SigningSecret(credentials, at: now)
    }
}

/// `GET …/signing-secret`: `{"secret", "previousSecret"?, "previousSecretExpiresAt"?, "rotatedAt"?}`.
public struct SigningSecret: Hashable, Sendable, Codable {
    public var secret: String
    /// While a rotation's grace lasts: the secret before, still signing.
    public var previousSecret: String?
    public var previousSecretExpiresAt: Date?
    public var rotatedAt: Date?

    public init(_ credentials: WebhookCredentials, at now: Date) {
        let secrets = credentials.secrets(at: now)
        secret = secrets[0].text
        previousSecret = secrets.count > 1 ? secrets[1].text : nil
        previousSecretExpiresAt = secrets.count > 1 ? credentials.previousSecretExpiresAt : nil
        rotatedAt = credentials.rotatedAt
    }
}
