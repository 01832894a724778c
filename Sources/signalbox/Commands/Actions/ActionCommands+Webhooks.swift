import ArgumentParser
import Automation
import Foundation

/// `action-webhook-add --action-name N --namespace NS --webhook-name W [--filter F]`: prints the
/// call URL and the secret, which no later answer shows.
struct ActionWebhookAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-webhook-add", abstract: "Add a webhook trigger to an automated action.",
        discussion: """
            Prints the webhook's URL and its secret (whsec_…), shown this once. Senders sign calls \
            the Standard Webhooks way with it; try one with `signalbox webhook send`.
            """)

    @OptionGroup var action: ParentActionSelector

    @Option(help: "The webhook's name.")
    var webhookName: String

    @Option(help: ArgumentHelp("JSONPath filter over the webhook event (the call's JSON is $.payload).", valueName: "filter"))
    var filter: String?

    @Flag(help: "Also accept ?secret=<secret> instead of a signature (seed 001's form; weaker).")
    var allowSecretParameter = false

    @Option(help: ArgumentHelp("Calls taken per second (default 10).", valueName: "rate"))
    var ratePerSecond: Double?

    @Option(help: ArgumentHelp("Calls taken at once after a quiet period (default 50).", valueName: "calls"))
    var burst: Int?

    @Flag(help: "Add it disabled.")
    var disabled = false

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let rate = ratePerSecond != nil || burst != nil
            ? WebhookRateLimit(perSecond: ratePerSecond ?? WebhookRateLimit().perSecond, burst: burst ?? WebhookRateLimit().burst) : nil
        let request = AddWebhookRequest(
            name: webhookName, isEnabled: !disabled, filter: filter, allowSecretParameter: allowSecretParameter, rateLimit: rate)
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("POST", "/automated-actions/by-id/\(id)/webhooks", body: try requestBody(request))
            try server.output(data, as: WebhookWithSecret.self) { created in
                var text = created.warnings.map { "warning: \($0)\n" }.joined()
                text += "Added webhook \(created.webhook.name) (\(created.webhook.id)).\n"
                text += "URL:    \(client.server.absoluteString.trimmingCharacters(in: ["/"]))\(created.webhook.path)\n"
                text += "Secret: \(created.secret)\n"
                return text + "The secret is shown only now: store it where the sender can read it.\n"
            }
        }
    }
}

/// `action-webhook-list --action-name N --namespace NS`.
struct ActionWebhookListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-webhook-list", abstract: "List an action's webhooks (without secrets).")

    @OptionGroup var action: ParentActionSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("GET", "/automated-actions/by-id/\(id)/webhooks")
            try server.output(data, as: WebhookListing.self) { ActionTables.webhooks($0.items) }
        }
    }

    private struct WebhookListing: Decodable { var items: [WebhookTrigger] }
}

/// `action-webhook-enable --action-name N --namespace NS --webhook-id ID`.
struct ActionWebhookEnableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-webhook-enable", abstract: "Enable a webhook.")

    @OptionGroup var action: ParentActionSelector
    @OptionGroup var webhook: WebhookSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await WebhookChange(verb: "enable", done: "Enabled webhook").run(webhook, of: action, server)
    }
}

/// `action-webhook-disable --action-name N --namespace NS --webhook-id ID`.
struct ActionWebhookDisableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-webhook-disable", abstract: "Disable a webhook (calls answer 404 until enabled).")

    @OptionGroup var action: ParentActionSelector
    @OptionGroup var webhook: WebhookSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await WebhookChange(verb: "disable", done: "Disabled webhook").run(webhook, of: action, server)
    }
}

/// `action-webhook-rotate --action-name N --namespace NS --webhook-id ID [--grace-seconds S]`.
struct ActionWebhookRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-webhook-rotate", abstract: "Issue a new secret for a webhook; the old one works for a grace period.")

    @OptionGroup var action: ParentActionSelector
    @OptionGroup var webhook: WebhookSelector
    @Option(help: ArgumentHelp("How long the old secret keeps working (default 86400 = 24 h).", valueName: "seconds"))
    var graceSeconds: Int?
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send(
                "POST", "/automated-actions/by-id/\(id)/webhooks/\(webhook.id)/rotate-secret",
                body: try requestBody(RotateWebhookSecretRequest(graceSeconds: graceSeconds)))
            try server.output(data, as: WebhookWithSecret.self) { rotated in
                let until = rotated.previousSecretExpiresAt.map { "until \(ActionTables.time($0))" } ?? "no longer (grace 0)"
                return "New secret for webhook \(rotated.webhook.name): \(rotated.secret)\nThe previous secret works \(until).\n"
            }
        }
    }
}

/// `action-webhook-remove --action-name N --namespace NS --webhook-id ID` (admin).
struct ActionWebhookRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "action-webhook-remove", abstract: "Remove a webhook (admin).")

    @OptionGroup var action: ParentActionSelector
    @OptionGroup var webhook: WebhookSelector
    @OptionGroup var server: ServerOptions

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            _ = try await client.send("DELETE", "/automated-actions/by-id/\(id)/webhooks/\(webhook.id)")
            print("Removed webhook \(webhook.id).")
        }
    }
}

/// `action-signing-secret --action-name N --namespace NS [--rotate [--grace-seconds S]]`: the
/// secret that signs the requests of the action's `webhook` items, for the receivers to verify.
struct ActionSigningSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action-signing-secret",
        abstract: "Show (or rotate) the secret that signs the requests of an action's webhook items.")

    @OptionGroup var action: ParentActionSelector
    @Flag(help: "Issue a new secret; requests carry signatures by both during the grace.") var rotate = false
    @Option(help: ArgumentHelp("With --rotate: how long the old secret still signs (default 86400 = 24 h).", valueName: "seconds"))
    var graceSeconds: Int?
    @OptionGroup var server: ServerOptions

    func validate() throws {
        if graceSeconds != nil && !rotate { throw ValidationError("--grace-seconds goes with --rotate") }
    }

    func run() async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data =
                rotate
                ? try await client.send(
                    "POST", "/automated-actions/by-id/\(id)/signing-secret/rotate",
                    body: try requestBody(RotateWebhookSecretRequest(graceSeconds: graceSeconds)))
                : try await client.send("GET", "/automated-actions/by-id/\(id)/signing-secret")
            try server.output(data, as: SigningSecret.self) { signing in
                var text = "Signing secret: \(signing.secret)\n"
                if let previous = signing.previousSecret, let until = signing.previousSecretExpiresAt {
                    text += "Previous secret (also signs until \(ActionTables.time(until))): \(previous)\n"
                }
                return text
            }
        }
    }
}

/// `--webhook-id ID`, checked to be a UUID before anything is sent.
struct WebhookSelector: ParsableArguments {
    @Option(help: "The webhook's id.") var webhookId: String

    func validate() throws {
        guard UUID(uuidString: webhookId) != nil else { throw ValidationError("--webhook-id \(webhookId) is not a UUID") }
    }

    var id: String { webhookId.lowercased() }
}

/// Enable or disable one webhook and print it.
private struct WebhookChange {
    var verb: String
    var done: String

    func run(_ webhook: WebhookSelector, of action: ParentActionSelector, _ server: ServerOptions) async throws {
        try await server.run { client throws(APIClientError) in
            let id = try await action.resolve(client)
            let data = try await client.send("POST", "/automated-actions/by-id/\(id)/webhooks/\(webhook.id)/\(verb)")
            try server.output(data, as: WebhookTrigger.self) { "\(done) \($0.name).\n\n" + ActionTables.webhooks([$0]) }
        }
    }
}
