import JSONPath

/// The places of a config that hold free-form JSON, where `$fromEvent` objects may stand: input
/// values and the members Signalbox does not interpret. Typed fields are not among them.
extension ActionConfig {
    /// Each free-form value with the field holding it: inputs in order, then the uninterpreted
    /// members by name (a stable order, so the first problem reported is always the same).
    var freeFormValues: [(field: ConfigValuePath.Field, value: JSONValue)] {
        var values: [(field: ConfigValuePath.Field, value: JSONValue)] = []
        if case .webhook(let request) = self {
            values.append((.member("headers"), request.headers))
            if let body = request.body { values.append((.member("body"), body)) }
            return values
        }
        for (index, input) in inputs.enumerated() {
            values.append((.inputValue(index), input.value))
        }
        for (name, value) in additionalFields.sorted(by: { $0.key < $1.key }) {
            values.append((.additionalField(name), value.value))
        }
        return values
    }

    /// Puts `value` where `path` points. Paths come from ``freeFormValues`` of this config, so
    /// they exist; one that does not changes nothing.
    mutating func replaceValue(at path: ConfigValuePath, with value: JSONValue) {
        if case .webhook(var request) = self, case .member(let name) = path.field {
            switch name {
            case "headers": request.headers.replace(at: path.steps[...], with: value)
            case "body": request.body?.replace(at: path.steps[...], with: value)
            default: return
            }
            self = .webhook(request)
            return
        }
        editFreeFormFields { inputs, additionalFields in
            switch path.field {
            case .inputValue(let index):
                guard inputs.indices.contains(index) else { return }
                inputs[index].value.replace(at: path.steps[...], with: value)
            case .additionalField(let name):
                additionalFields[name]?.value.replace(at: path.steps[...], with: value)
            case .member:
                return
            }
        }
    }

    /// The inputs of `app` and `interaction` items; the other kinds have none.
    private var inputs: [NameValuePair] {
        switch self {
        case .app(let config): config.inputs
        case .interaction(let config): config.inputs
        case .interactionMessage, .capsule, .webhook: []
        }
    }

    private var additionalFields: [String: AnyJSON] {
        switch self {
        case .app(let config): config.additionalFields
        case .interaction(let config): config.additionalFields
        case .interactionMessage(let config): config.additionalFields
        case .capsule(let config): config.additionalFields
        case .webhook: [:]
        }
    }

    /// Lets `edit` change the inputs (none for kinds without) and the uninterpreted members in place.
    private mutating func editFreeFormFields(_ edit: (inout [NameValuePair], inout [String: AnyJSON]) -> Void) {
        var noInputs: [NameValuePair] = []
        switch self {
        case .app(var config):
            edit(&config.inputs, &config.additionalFields)
            self = .app(config)
        case .interaction(var config):
            edit(&config.inputs, &config.additionalFields)
            self = .interaction(config)
        case .interactionMessage(var config):
            edit(&noInputs, &config.additionalFields)
            self = .interactionMessage(config)
        case .capsule(var config):
            edit(&noInputs, &config.additionalFields)
            self = .capsule(config)
        case .webhook:
            return
        }
    }
}

extension JSONValue {
    /// Replaces the node `steps` lead to; a step that leads nowhere changes nothing.
    mutating func replace(at steps: ArraySlice<PathElement>, with newValue: JSONValue) {
        guard let step = steps.first else {
            self = newValue
            return
        }
        switch (self, step) {
        case (.array(var elements), .index(let index)) where elements.indices.contains(index):
            elements[index].replace(at: steps.dropFirst(), with: newValue)
            self = .array(elements)
        case (.object(var object), .name(let name)):
            guard var member = object[name] else { return }
            member.replace(at: steps.dropFirst(), with: newValue)
            object[name] = member
            self = .object(object)
        default:
            return
        }
    }
}
