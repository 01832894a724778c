import JSONPath

extension AutomationValidator {
    /// Compiles a filter, turning a `JSONPathError` into an ``AutomationError`` at `field` with
    /// line:column, span and hint, and the filter's warnings into ``ValidationWarning``s.
    public static func compileFilter(_ text: String, field: String) throws(AutomationError) -> (TriggerFilter, [ValidationWarning]) {
        let filter: TriggerFilter
        do {
            filter = try TriggerFilter(parsing: text)
        } catch {
            throw AutomationError.invalidInput(
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
        prefix: String = ""
    ) throws(AutomationError) -> (MessageTrigger, [ValidationWarning]) {
        try validateName(request.name, field: prefix + "name")
        let (_, warnings) = try compileFilter(request.eventFilter, field: prefix + "eventFilter")
        let trigger = MessageTrigger(
            id: id, name: request.name, isEnabled: request.isEnabled ?? true, triggerType: request.triggerType,
            eventFilter: request.eventFilter)
        return (trigger, warnings)
    }
}
