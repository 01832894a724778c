import Foundation
import JSONPath

extension AutomationValidator {
    /// The longest filter saved or tested unless configured otherwise (8 KiB): the parse is
    /// linear, but every trigger-index rebuild compiles every filter again.
    public static let defaultFilterTextBytes = 8 * 1024

    /// A filter's text within `limit` bytes, else a 422 naming the limit. Only where filters are
    /// saved or tested: a stored filter is compiled again whatever its length.
    public static func validateFilterLength(_ text: String, limit: Int, field: String) throws(AutomationError) {
        let bytes = text.utf8.count
        guard bytes <= limit else {
            throw .limitExceeded("a filter is at most \(limit) bytes (UTF-8); this one is \(bytes)", field: field)
        }
    }

    /// The 422 of a filter whose evaluation on `what` exceeded its work budget.
    public static func overBudget(_ error: EvaluationBudgetExceeded, on what: String) -> AutomationError {
        .limitExceeded("evaluating the filter on \(what) exceeded the work budget of \(error.limit) nodes visited and comparisons", field: "filter")
    }

    /// Compiles a filter, turning a `JSONPathError` into an ``AutomationError`` at `field` with
    /// line:column, span and hint, and the filter's warnings into ``ValidationWarning``s.
    public static func compileFilter(_ text: String, field: String) throws(AutomationError) -> (TriggerFilter, [ValidationWarning]) {
        let filter: TriggerFilter
        do {
            filter = try TriggerFilter(parsing: text)
        } catch {
            throw AutomationError.invalidValue(
                error.message, field: field,
                position: SourcePosition(line: error.line, column: error.column, span: error.span),
                hint: error.hint)
        }
        let warnings = filter.warnings.map {
            ValidationWarning(
                field: field, message: $0.message,
                position: SourcePosition(line: $0.line, column: $0.column, span: $0.span), hint: $0.hint)
        }
        return (filter, warnings)
    }

    /// Builds a trigger from a request: name, and a filter that compiles.
    public static func makeTrigger(
        _ request: AddTriggerRequest,
        id: TriggerID = .random(),
        prefix: String = "",
        filterTextBytes: Int = defaultFilterTextBytes
    ) throws(AutomationError) -> (MessageTrigger, [ValidationWarning]) {
        try validateName(request.name, field: prefix + "name")
        try validateFilterLength(request.eventFilter, limit: filterTextBytes, field: prefix + "eventFilter")
        let (_, warnings) = try compileFilter(request.eventFilter, field: prefix + "eventFilter")
        try validateTiming(delay: request.delay, cancels: request.cancels, prefix: prefix)
        let trigger = MessageTrigger(
            id: id, name: request.name, isEnabled: request.isEnabled ?? true, triggerType: request.triggerType,
            eventFilter: request.eventFilter, delay: request.delay, cancels: request.cancels)
        return (trigger, warnings)
    }

    /// `delay` (1 to 604800 s; 422 beyond) or `cancels`, not both; their `keyFromEvent` a
    /// singular query that compiles (a 400 with its line:column).
    static func validateTiming(delay: TriggerDelay?, cancels: TriggerCancellation?, prefix: String) throws(AutomationError) {
        if delay != nil && cancels != nil {
            throw .invalidValue("give delay or cancels, not both", field: prefix + "cancels")
        }
        if let delay {
            guard (Int(DelayedRun.minimumDelay)...Int(DelayedRun.maximumDelay)).contains(delay.seconds) else {
                throw .limitExceeded("delay.seconds must be 1 to 604800 (7 days), got \(delay.seconds)", field: prefix + "delay.seconds")
            }
            if let key = delay.keyFromEvent { try validateSingularQuery(key, field: prefix + "delay.keyFromEvent") }
        }
        if let cancels { try validateSingularQuery(cancels.keyFromEvent, field: prefix + "cancels.keyFromEvent") }
    }

    /// An RFC 9535 query that compiles (else a 400 with its line:column) and selects at most one
    /// value (`interactionProcessIdFromEvent`, `keyFromEvent`).
    static func validateSingularQuery(_ text: String, field: String) throws(AutomationError) {
        let query: JSONPathQuery
        do {
            query = try JSONPathQuery(parsing: text)
        } catch {
            throw AutomationError.invalidValue(
                error.message, field: field, position: SourcePosition(line: error.line, column: error.column, span: error.span), hint: error.hint)
        }
        guard query.isSingular else { throw .invalidValue("\(field) must select a single value (e.g. $.item.id)", field: field) }
    }
}

extension AutomationValidator {
    /// Builds a webhook from a request: a name, a filter that compiles (when given) and a rate
    /// within bounds.
    public static func makeWebhook(
        _ request: AddWebhookRequest, id: WebhookID = .random(), at now: Date, filterTextBytes: Int = defaultFilterTextBytes
    ) throws(AutomationError) -> (WebhookTrigger, [ValidationWarning]) {
        try validateName(request.name, field: "name")
        var warnings: [ValidationWarning] = []
        if let filter = request.filter {
            try validateFilterLength(filter, limit: filterTextBytes, field: "filter")
            warnings = try compileFilter(filter, field: "filter").1
        }
        let rate = request.rateLimit ?? WebhookRateLimit()
        guard rate.perSecond > 0, rate.perSecond <= WebhookRateLimit.maximumPerSecond else {
            throw .invalidValue(
                "rateLimit.perSecond must be above 0 and at most \(Int(WebhookRateLimit.maximumPerSecond))", field: "rateLimit.perSecond")
        }
        guard (1...WebhookRateLimit.maximumBurst).contains(rate.burst) else {
            throw .invalidValue("rateLimit.burst must be 1 to \(WebhookRateLimit.maximumBurst)", field: "rateLimit.burst")
        }
        try validateTiming(delay: request.delay, cancels: request.cancels, prefix: "")
        let webhook = WebhookTrigger(
            id: id, name: request.name, isEnabled: request.isEnabled ?? true, filter: request.filter,
            allowSecretParameter: request.allowSecretParameter ?? false, rateLimit: rate, dateCreated: now,
            delay: request.delay, cancels: request.cancels)
        return (webhook, warnings)
    }
}
