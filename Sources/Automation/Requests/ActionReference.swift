/// How a caller names an action: by id (REST `by-id` paths, CLI `--id`) or by namespace and
/// name (CLI `--name … --namespace …`). Either way, resolution is scoped to the caller's tenant.
public enum ActionReference: Hashable, Sendable, CustomStringConvertible {
    case id(ActionID)
    case name(String, namespace: NamespaceName)

    public var description: String {
        switch self {
        case .id(let id): "action \(id)"
        case .name(let name, let namespace): "action \"\(name.prefix(200))\" in namespace \"\(namespace)\""
        }
    }
}
