import JSONPath

/// What an ``ActionItem`` starts, discriminated in JSON by `$type`:
/// `app`, `interaction`, `interaction-message`, `capsule` or `webhook`.
///
/// Decoding an unknown `$type` fails with a `DecodingError` whose coding path ends in `$type`
/// (``AutomationError/init(decoding:)`` turns it into a 400 naming the field).
public enum ActionConfig: Hashable, Sendable, Codable {
    case app(AppConfig)
    case interaction(InteractionConfig)
    case interactionMessage(InteractionMessageConfig)
    case capsule(CapsuleConfig)
    /// An HTTP request Signalbox sends itself, not a command.
    case webhook(HTTPRequestConfig)

    /// The `$type` discriminators, in the order the seed lists them.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case app
        case interaction
        case interactionMessage = "interaction-message"
        case capsule
        case webhook
    }

    /// The JSON member that carries the discriminator.
    public static let typeKey = "$type"

    public var kind: Kind {
        switch self {
        case .app: .app
        case .interaction: .interaction
        case .interactionMessage: .interactionMessage
        case .capsule: .capsule
        case .webhook: .webhook
        }
    }

    /// The kind of process this item starts (or, for `interaction-message`, talks to), as shown
    /// in history entries' `processType`.
    public var processType: ProcessType {
        switch self {
        case .app: .app
        case .interaction, .interactionMessage: .interaction
        case .capsule: .capsule
        case .webhook: .webhook
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let typeKey = AnyCodingKey(Self.typeKey)
        let text = try container.decode(String.self, forKey: typeKey)
        guard let kind = Kind(rawValue: text) else {
            let allowed = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(
                forKey: typeKey, in: container,
                debugDescription: "unknown $type \"\(text.prefix(64))\"; expected one of \(allowed)")
        }
        switch kind {
        case .app: self = .app(try AppConfig(from: decoder))
        case .interaction: self = .interaction(try InteractionConfig(from: decoder))
        case .interactionMessage: self = .interactionMessage(try InteractionMessageConfig(from: decoder))
        case .capsule: self = .capsule(try CapsuleConfig(from: decoder))
        case .webhook: self = .webhook(try HTTPRequestConfig(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encode(kind.rawValue, forKey: AnyCodingKey(Self.typeKey))
        switch self {
        case .app(let config): try config.encode(to: encoder)
        case .interaction(let config): try config.encode(to: encoder)
        case .interactionMessage(let config): try config.encode(to: encoder)
        case .capsule(let config): try config.encode(to: encoder)
        case .webhook(let config): try config.encode(to: encoder)
        }
    }
}

/// A published version of an app, interaction or capsule: `{"id": "…", "version": 1}`.
public struct VersionReference: Hashable, Sendable, Codable {
    /// The definition's id (a UUID in Maitento, but kept as text: Signalbox only passes it on).
    public var id: String
    /// The version number, 1 or more.
    public var version: Int

    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }
}

/// A named input: `{"name": "format", "value": "pdf"}`.
///
/// The value is any JSON (seed 000's are strings), passed on as given, except that an object
/// `{"$fromEvent": "<query>"}` anywhere in it is replaced by what the query selects in the
/// triggering event (``EventValueReference``).
public struct NameValuePair: Hashable, Sendable, Codable {
    public var name: String
    public var value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }

    private enum CodingKeys: String, CodingKey {
        case name, value
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        // Strings first: they are the usual value, and AnyJSON finds them only after two failed
        // container probes, each a thrown error.
        if let text = try? c.decode(String.self, forKey: .value) {
            value = .string(text)
        } else {
            value = try c.decode(AnyJSON.self, forKey: .value).value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(AnyJSON(value), forKey: .value)
    }
}

/// A virtual file system mounted into a capsule.
public struct VFSMount: Hashable, Sendable, Codable {
    public var vfsId: String
    public var vfsNamespaceId: String
    public var mountName: String

    public init(vfsId: String, vfsNamespaceId: String, mountName: String) {
        self.vfsId = vfsId
        self.vfsNamespaceId = vfsNamespaceId
        self.mountName = mountName
    }
}

/// A secret mounted into a capsule.
public struct SecretMount: Hashable, Sendable, Codable {
    public var secretName: String
    public var mountName: String

    public init(secretName: String, mountName: String) {
        self.secretName = secretName
        self.mountName = mountName
    }
}
