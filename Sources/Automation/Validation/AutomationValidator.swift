import Cron
import Foundation
import JSONPath

/// The rules a definition must satisfy before it is stored, each failure an ``AutomationError``
/// naming the request field. Pure: time comes in as an argument.
///
/// Field paths are relative to the request body being validated, with `prefix` prepended when
/// the piece sits inside a bigger body (`schedules[0].` for a schedule given at action creation).
public enum AutomationValidator {
    /// Longest name of an action, item, schedule or trigger.
    public static let maximumNameLength = 200
    /// Longest description.
    public static let maximumDescriptionLength = 4000
    /// Longest namespace name.
    public static let maximumNamespaceLength = 100
    /// Longest tenant id.
    public static let maximumTenantIDLength = 64

    /// A name: not blank, at most 200 characters, no control characters.
    public static func validateName(_ name: String, field: String) throws(AutomationError) {
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidValue("\(field) must not be empty", field: field)
        }
        if name.count > maximumNameLength {
            throw .invalidValue("\(field) is longer than \(maximumNameLength) characters", field: field)
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidValue("\(field) must not contain control characters", field: field)
        }
    }

    /// A description: at most 4000 characters.
    public static func validateDescription(_ description: String?, field: String = "description") throws(AutomationError) {
        if let description, description.count > maximumDescriptionLength {
            throw .invalidValue("\(field) is longer than \(maximumDescriptionLength) characters", field: field)
        }
    }

    /// A namespace name: 1–100 letters, digits, `-`, `_` or `.` (it appears in URL paths).
    public static func validateNamespace(_ namespace: NamespaceName, field: String = "namespace") throws(AutomationError) {
        try validateIdentifier(namespace.rawValue, maximumLength: maximumNamespaceLength, field: field)
    }

    /// A tenant id: 1–64 letters, digits, `-`, `_` or `.`.
    public static func validateTenantID(_ tenant: TenantID, field: String = "tenantId") throws(AutomationError) {
        try validateIdentifier(tenant.rawValue, maximumLength: maximumTenantIDLength, field: field)
    }

    static func validateIdentifier(_ text: String, maximumLength: Int, field: String) throws(AutomationError) {
        guard !text.isEmpty else { throw .invalidInput("\(field) must not be empty", field: field) }
        guard text.count <= maximumLength else {
            throw .invalidInput("\(field) is longer than \(maximumLength) characters", field: field)
        }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
        guard allowed, text != ".", text != ".." else {
            throw .invalidInput("\(field) may contain only letters, digits, '-', '_' and '.'", field: field)
        }
    }

    // MARK: Items

    /// The item list: at least one item, each named and with a valid config for its `$type`
    /// whose `$fromEvent` values all read.
    public static func validateItems(_ items: [ActionItem], field: String = "actions") throws(AutomationError) {
        guard !items.isEmpty else {
            throw .invalidValue("an action needs at least one item in \(field)", field: field)
        }
        for (index, item) in items.enumerated() {
            let path = "\(field)[\(index)]"
            try validateName(item.name, field: path + ".name")
            if let runAs = item.runAs { try validateName(runAs, field: path + ".runAs") }
            try validateConfig(item.config, field: path + ".config")
            try validateEventValues(item.eventValues, field: path + ".config")
        }
    }

    /// `{"$fromPrevious": …}` reads the completion of the item before in a sequence: in a parallel
    /// action, or in a sequence's first item, there is none, so such an item could never plan.
    public static func validatePreviousValues(_ items: [ActionItem], execution: ActionExecution, field: String = "actions") throws(AutomationError) {
        for (index, item) in items.enumerated() {
            guard let reference = item.eventValues.references.first(where: { $0.source == .previous }) else { continue }
            let place = "\(field)[\(index)].config.\(reference.path).\(EventValueReference.previousMember)"
            if execution == .parallel {
                throw .invalidValue(
                    "\(EventValueReference.previousMember) reads the item before in a sequence, and this action runs its items in parallel; set \"execution\": \"sequential\" or use $fromEvent",
                    field: place)
            }
            if index == 0 {
                throw .invalidValue(
                    "\(EventValueReference.previousMember) reads the item before in a sequence, and the first item has none; use $fromEvent",
                    field: place)
            }
        }
    }

    /// The `{"$fromEvent": …}` objects of a config (found when the item was decoded): the first
    /// one that does not read is refused, naming its member (`….value.$fromEvent`) and, for a
    /// query that does not compile, the line:column in it.
    static func validateEventValues(_ values: EventValueReferences, field: String) throws(AutomationError) {
        guard let error = values.errors.first else { return }
        throw .invalidValue(error.message, field: "\(field).\(error.field)", position: error.position, hint: error.hint)
    }

    /// One item config, by `$type`.
    public static func validateConfig(_ config: ActionConfig, field: String) throws(AutomationError) {
        switch config {
        case .app(let app):
            try validateVersion(app.version, field: field + ".version")
            try validateInputs(app.inputs, field: field + ".inputs")
        case .interaction(let interaction):
            try validateVersion(interaction.version, field: field + ".version")
            try validateInputs(interaction.inputs, field: field + ".inputs")
        case .interactionMessage(let message):
            try validateSingularQuery(message.interactionProcessIdFromEvent, field: field + ".interactionProcessIdFromEvent")
            if message.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw .invalidValue("\(field).message must not be empty", field: field + ".message")
            }
        case .capsule(let capsule):
            try validateVersion(capsule.version, field: field + ".version")
            for (index, mount) in capsule.vfsMounts.enumerated() {
                let path = "\(field).vfsMounts[\(index)]"
                try requireText(mount.vfsId, field: path + ".vfsId")
                try requireText(mount.mountName, field: path + ".mountName")
            }
            for (index, mount) in capsule.secretMounts.enumerated() {
                let path = "\(field).secretMounts[\(index)]"
                try requireText(mount.secretName, field: path + ".secretName")
                try requireText(mount.mountName, field: path + ".mountName")
            }
        case .webhook(let request):
            try validateHTTPRequest(request, field: field)
        }
    }

    static func validateVersion(_ version: VersionReference, field: String) throws(AutomationError) {
        try requireText(version.id, field: field + ".id")
        guard version.version >= 1 else {
            throw .invalidValue("\(field).version must be 1 or more", field: field + ".version")
        }
    }

    static func validateInputs(_ inputs: [NameValuePair], field: String) throws(AutomationError) {
        var seen: Set<String> = []
        for (index, input) in inputs.enumerated() {
            let path = "\(field)[\(index)].name"
            try requireText(input.name, field: path)
            guard seen.insert(input.name).inserted else {
                throw .invalidValue("input \"\(input.name.prefix(100))\" is given twice", field: path)
            }
        }
    }

    static func requireText(_ text: String, field: String) throws(AutomationError) {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .invalidValue("\(field) must not be empty", field: field)
        }
    }
}

extension AutomationValidator {
    /// `retryPolicy` and `pauseAfterConsecutiveFailures` within their bounds; each error names its field.
    public static func validatePolicies(_ policies: FailurePolicies) throws(AutomationError) {
        if let retry = policies.retryPolicy {
            guard (0...RetryPolicy.maximumRetries).contains(retry.maxRetries) else {
                throw .limitExceeded(
                    "retryPolicy.maxRetries must be 0 to \(RetryPolicy.maximumRetries), got \(retry.maxRetries)", field: "retryPolicy.maxRetries")
            }
            guard retry.backoffSeconds.isFinite, (RetryPolicy.minimumBackoff...DelayedRun.maximumDelay).contains(retry.backoffSeconds) else {
                throw .limitExceeded(
                    "retryPolicy.backoffSeconds must be 0.1 to 604800 (backoffMs 100 to 604800000), got \(retry.backoffSeconds)",
                    field: "retryPolicy.backoffSeconds")
            }
            guard retry.multiplier.isFinite, (1...10).contains(retry.multiplier) else {
                throw .limitExceeded("retryPolicy.multiplier must be 1 to 10, got \(retry.multiplier)", field: "retryPolicy.multiplier")
            }
            guard retry.maxBackoffSeconds.isFinite, (retry.backoffSeconds...DelayedRun.maximumDelay).contains(retry.maxBackoffSeconds) else {
                throw .limitExceeded(
                    "retryPolicy.maxBackoffSeconds must be from backoffSeconds (\(retry.backoffSeconds)) to 604800, got \(retry.maxBackoffSeconds)",
                    field: "retryPolicy.maxBackoffSeconds")
            }
        }
        if let threshold = policies.pauseAfterConsecutiveFailures, !(1...FailurePolicies.maximumPauseThreshold).contains(threshold) {
            throw .limitExceeded(
                "pauseAfterConsecutiveFailures must be 1 to \(FailurePolicies.maximumPauseThreshold), got \(threshold)",
                field: "pauseAfterConsecutiveFailures")
        }
    }
}
