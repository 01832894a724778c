import JSONPath

/// Where a free-form value sits in an item's config: the config field that holds free-form JSON
/// (an input's value, or a member Signalbox does not interpret), then the members and indices
/// inside it.
///
/// Written like the field paths of errors, relative to the config: `inputs[0].value`,
/// `inputs[0].value.to[1]`, `callback.url`.
public struct ConfigValuePath: Hashable, Sendable, CustomStringConvertible {
    /// The config field whose value is free-form JSON.
    public enum Field: Hashable, Sendable {
        /// `inputs[i].value` of an `app` or `interaction` item.
        case inputValue(Int)
        /// A member the config does not interpret, kept in its `additionalFields`.
        case additionalField(String)
        /// A member of the config that holds free-form JSON (a `webhook` item's `headers`, `body`).
        case member(String)
    }

    public var field: Field
    /// From the field's value down to the value meant.
    public var steps: [PathElement]

    public init(field: Field, steps: [PathElement] = []) {
        self.field = field
        self.steps = steps
    }

    /// The path one member or index further down.
    func appending(_ step: PathElement) -> ConfigValuePath {
        ConfigValuePath(field: field, steps: steps + [step])
    }

    /// `inputs[0].value.to[1]`.
    public var description: String { AutomationError.jsonPath(codingPath) }

    /// The same path as coding keys, rendered the way decoding errors name fields.
    private var codingPath: [AnyCodingKey] {
        var keys: [AnyCodingKey]
        switch field {
        case .inputValue(let index): keys = [AnyCodingKey("inputs"), AnyCodingKey(index: index), AnyCodingKey("value")]
        case .additionalField(let name), .member(let name): keys = [AnyCodingKey(name)]
        }
        for step in steps {
            switch step {
            case .name(let name): keys.append(AnyCodingKey(name))
            case .index(let index): keys.append(AnyCodingKey(index: index))
            }
        }
        return keys
    }
}
