import ArgumentParser
import Automation
import Foundation
import StandardWebhooks

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `signalbox webhook send --url URL --secret whsec_… FILE`: signs a payload the Standard
/// Webhooks way and posts it, to try a webhook from a shell.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook tools.", subcommands: [Send.self])

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send", abstract: "Sign a JSON payload with a webhook's secret and post it.",
            discussion: """
                Sends webhook-id, webhook-timestamp (now) and webhook-signature as the Standard Webhooks \
                specification defines them. Prints the status and the answer; exits 1 unless it is 2xx. \
                Sending the same --message-id twice shows the replay.
                """)

        @Option(help: ArgumentHelp("The webhook's full URL (http://127.0.0.1:8080/hooks/<id>).", valueName: "url"))
        var url: String

        @Option(help: ArgumentHelp("The webhook's secret (whsec_…), or SIGNALBOX_WEBHOOK_SECRET.", valueName: "secret"))
        var secret: String?

        @Option(help: ArgumentHelp("The message id (default: a new one); a sender's retry keeps it.", valueName: "id"))
        var messageId: String?

        @Argument(help: ArgumentHelp("The JSON payload file, or - for standard input.", valueName: "file"))
        var file: String

        func run() async throws {
            guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https", target.host != nil else {
                throw ValidationError("--url must be an http(s) URL such as http://127.0.0.1:8080/hooks/<id>")
            }
            guard let text = secret ?? ProcessInfo.processInfo.environment["SIGNALBOX_WEBHOOK_SECRET"] else {
                throw ValidationError("give --secret whsec_… (or set SIGNALBOX_WEBHOOK_SECRET)")
            }
            guard let key = WebhookSecret(text)?.key else { throw ValidationError("--secret must be whsec_ followed by base64") }
            let body: Data
            do {
                body = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("cannot read \(file): \(error.localizedDescription)")
            }
            let id = messageId ?? "msg_\(UUID().uuidString.lowercased())"
            var request = URLRequest(url: target)
            request.httpMethod = "POST"
            request.timeoutInterval = 30
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            for (name, value) in StandardWebhooks.headers(
                keys: [key], messageID: id, timestamp: Int(Date().timeIntervalSince1970), body: [UInt8](body))
            {
                request.setValue(value, forHTTPHeaderField: name)
            }
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(for: request)
            } catch {
                FileHandle.standardError.write(Data("error: cannot reach \(url): \(error.localizedDescription)\n".utf8))
                throw ExitCode.failure
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            print("HTTP \(status) (webhook-id \(id))")
            print(String(decoding: data, as: UTF8.self))
            guard (200..<300).contains(status) else { throw ExitCode.failure }
        }
    }
}
