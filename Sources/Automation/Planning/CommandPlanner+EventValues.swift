import JSONPath

extension CommandPlanner {
    /// `item`'s config with each `{"$fromEvent": …}` object replaced by the one value its query
    /// selects in `event`'s body, or by its `default` when it selects nothing. Any other outcome
    /// fails the item, with a message naming the item, where the object is and its query.
    static func resolveEventValues(of item: ActionItem, in event: Event) -> Result<ActionConfig, PlanningFailure> {
        let subject = "item \"\(item.name)\""
        let consequence = item.config.kind == .webhook ? "no request was sent" : "no command was sent"
        if let error = item.eventValues.errors.first {
            return .failure(PlanningFailure(message: "\(subject): config.\(error); \(consequence)"))
        }
        var config = item.config
        for reference in item.eventValues.references {
            func failure(_ outcome: String, _ expectation: String = "") -> PlanningFailure {
                let query = reference.query.text.prefix(200)
                let place = reference.source == .event ? "event \(event.id)" : "the previous item's completion"
                return PlanningFailure(
                    message: "\(subject): \(reference.source.member) \"\(query)\" at config.\(reference.path) "
                        + "\(outcome) in \(place)\(expectation); \(consequence)")
            }
            let values: [JSONValue]
            do {
                switch reference.source {
                case .event: values = try reference.query.values(in: event.body)
                case .previous: values = try event.previous.map { document throws(EvaluationBudgetExceeded) in try reference.query.values(in: document) } ?? []
                }
            } catch {
                return .failure(failure("exceeded the work budget of \(error.limit) nodes visited and comparisons"))
            }
            switch values.count {
            case 1:
                config.replaceValue(at: reference.path, with: values[0])
            case 0:
                guard let defaultValue = reference.defaultValue else { return .failure(failure("selected nothing")) }
                config.replaceValue(at: reference.path, with: defaultValue)
            default:
                return .failure(failure("selected \(values.count) values", ", expected one"))
            }
        }
        return .success(config)
    }
}
