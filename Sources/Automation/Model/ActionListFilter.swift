/// Which actions a list shows (`GET …/automated-actions?status=&trigger=&namespace=`,
/// `action-list`). Archived actions are left out unless asked for by `status=archived`.
public struct ActionListFilter: Hashable, Sendable {
    /// Of one namespace; nil: of every namespace of the tenant.
    public var namespace: NamespaceName?
    /// Of one status; nil: every status but `archived`.
    public var status: ActionStatus?
    /// Only actions with at least one trigger of this kind.
    public var trigger: TriggerKind?

    public init(namespace: NamespaceName? = nil, status: ActionStatus? = nil, trigger: TriggerKind? = nil) {
        self.namespace = namespace
        self.status = status
        self.trigger = trigger
    }

    /// Whether the list shows `action` (the in-memory store's test; SQL says the same).
    public func includes(_ action: AutomatedAction) -> Bool {
        if let namespace, action.namespace != namespace { return false }
        if let status { if action.status != status { return false } } else if action.status == .archived { return false }
        switch trigger {
        case nil: return true
        case .schedule: return !action.schedules.isEmpty
        case .message: return !action.messageTriggers.isEmpty
        case .webhook: return !action.webhooks.isEmpty
        }
    }

    /// The page cursor after `action`: lists are ordered by namespace, then name.
    public static func cursor(after action: AutomatedAction) -> String {
        "n:\(action.namespace.rawValue)/\(action.name)"
    }

    /// The namespace and name a cursor continues after; `invalidInput` for anything else.
    /// Read by scalars, not characters: a namespace or name that begins with a combining mark
    /// (an emoji modifier) would otherwise join the `:` or `/` before it into one character.
    public static func position(of cursor: String) throws(AutomationError) -> (namespace: String, name: String) {
        let scalars = cursor.unicodeScalars
        guard scalars.starts(with: "n:".unicodeScalars), let slash = scalars.firstIndex(of: "/") else {
            throw .invalidInput("cursor is not valid", field: "cursor")
        }
        let afterPrefix = scalars.index(scalars.startIndex, offsetBy: 2)
        return (String(scalars[afterPrefix..<slash]), String(scalars[scalars.index(after: slash)...]))
    }
}

/// The kinds of trigger an action can have: what `?trigger=` filters by.
public enum TriggerKind: String, Hashable, Sendable, Codable, CaseIterable {
    case schedule
    case message
    case webhook
}
