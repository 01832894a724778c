import Crypto
import Foundation

/// Signing and verifying webhooks as the Standard Webhooks specification (standardwebhooks.com)
/// defines them, so any of its reference libraries talks to Signalbox unchanged:
///
/// - headers `webhook-id` (the message id, the same on every retry), `webhook-timestamp` (Unix
///   seconds) and `webhook-signature` (space-separated `v1,<base64 signature>`, several during a
///   secret rotation);
/// - signature = HMAC-SHA256(key, `"<id>.<timestamp>.<raw body>"`), the key being the base64
///   part of a `whsec_…` secret;
/// - a timestamp more than ``tolerance`` away from now, in either direction, is refused
///   (against replays).
public enum StandardWebhooks {
    public static let idHeader = "webhook-id"
    public static let timestampHeader = "webhook-timestamp"
    public static let signatureHeader = "webhook-signature"
    /// How far a timestamp may be from now: 5 minutes, as the reference libraries use.
    public static let tolerance: TimeInterval = 300

    /// Why a call was not verified. Callers answer all of them alike (401, no detail), so
    /// that a forger learns nothing; the case is for logs and tests.
    public enum VerificationFailure: Error, Hashable, Sendable {
        case missingHeaders
        case invalidTimestamp
        case timestampTooOld
        case timestampTooNew
        case noMatchingSignature
    }

    /// `v1,<base64 HMAC-SHA256(key, "<messageID>.<timestamp>.<body>")>`.
    public static func signature(key: [UInt8], messageID: String, timestamp: Int, body: some Sequence<UInt8>) -> String {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: key))
        authenticator.update(data: Array("\(messageID).\(timestamp).".utf8))
        authenticator.update(data: Array(body))
        return "v1," + Data(authenticator.finalize()).base64EncodedString()
    }

    /// The three headers of a signed message, signed with every key (a rotation sends both).
    public static func headers(keys: [[UInt8]], messageID: String, timestamp: Int, body: [UInt8]) -> [(name: String, value: String)] {
        let signatures = keys.map { signature(key: $0, messageID: messageID, timestamp: timestamp, body: body) }
        return [
            (idHeader, messageID), (timestampHeader, String(timestamp)), (signatureHeader, signatures.joined(separator: " ")),
        ]
    }

    /// Checks what needs no body: all three headers present and the timestamp within
    /// ``tolerance`` of `now`. Returns the timestamp's seconds. A receiver can refuse a call
    /// with this before reading its body.
    @discardableResult
    public static func checkHeaders(
        messageID: String?, timestamp: String?, signatures: String?, now: Date, tolerance: TimeInterval = tolerance
    ) throws(VerificationFailure) -> Int {
        guard let messageID, let timestamp, let signatures, !messageID.isEmpty, !signatures.isEmpty else {
            throw .missingHeaders
        }
        guard !timestamp.isEmpty, timestamp.utf8.count <= 18, timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Int(timestamp)
        else { throw .invalidTimestamp }
        let offset = TimeInterval(seconds) - now.timeIntervalSince1970
        if offset < -tolerance { throw .timestampTooOld }
        if offset > tolerance { throw .timestampTooNew }
        return seconds
    }

    /// Checks a received message: ``checkHeaders(messageID:timestamp:signatures:now:tolerance:)``,
    /// and one of its signatures made with one of `keys` over exactly `body`.
    public static func verify(
        messageID: String?, timestamp: String?, signatures: String?, body: [UInt8], keys: [[UInt8]], now: Date,
        tolerance: TimeInterval = tolerance
    ) throws(VerificationFailure) {
        let seconds = try checkHeaders(messageID: messageID, timestamp: timestamp, signatures: signatures, now: now, tolerance: tolerance)
        guard let messageID, let signatures else { throw .missingHeaders }
        let expected = keys.map { Array(signature(key: $0, messageID: messageID, timestamp: seconds, body: body).utf8) }
        // Every pair is compared, in time that depends on lengths only.
        var matched = false
        for candidate in signatures.split(separator: " ", omittingEmptySubsequences: true) {
            let bytes = Array(candidate.utf8)
            for signature in expected where constantTimeEqual(bytes, signature) { matched = true }
        }
        guard matched else { throw .noMatchingSignature }
    }

    /// Whether `a` and `b` are equal, looking at every byte whatever differs (lengths are not
    /// secret: every signature has the same).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
