/// `$type: app` — start a version of an app with inputs.
public struct AppConfig: Hashable, Sendable, Codable {
    public var version: VersionReference
    public var inputs: [NameValuePair]
    /// Members Signalbox does not interpret, kept and passed on unchanged.
    public var additionalFields: [String: AnyJSON]

    public init(version: VersionReference, inputs: [NameValuePair] = [], additionalFields: [String: AnyJSON] = [:]) {
        self.version = version
        self.inputs = inputs
        self.additionalFields = additionalFields
    }

    static let knownKeys: Set<String> = [ActionConfig.typeKey, "version", "inputs"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        version = try c.decode(VersionReference.self, forKey: AnyCodingKey("version"))
        inputs = try c.decodeIfPresent([NameValuePair].self, forKey: AnyCodingKey("inputs")) ?? []
        additionalFields = try c.decodeAdditionalFields(excluding: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(version, forKey: AnyCodingKey("version"))
        try c.encode(inputs, forKey: AnyCodingKey("inputs"))
        try c.encodeAdditionalFields(additionalFields, excluding: Self.knownKeys)
    }
}

/// `$type: interaction` — start a version of an interaction, optionally with a first prompt.
public struct InteractionConfig: Hashable, Sendable, Codable {
    public var version: VersionReference
    public var initialPrompt: String?
    public var inputs: [NameValuePair]
    /// Members Signalbox does not interpret, kept and passed on unchanged.
    public var additionalFields: [String: AnyJSON]

    public init(
        version: VersionReference,
        initialPrompt: String? = nil,
        inputs: [NameValuePair] = [],
        additionalFields: [String: AnyJSON] = [:]
    ) {
        self.version = version
        self.initialPrompt = initialPrompt
        self.inputs = inputs
        self.additionalFields = additionalFields
    }

    static let knownKeys: Set<String> = [ActionConfig.typeKey, "version", "initialPrompt", "inputs"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        version = try c.decode(VersionReference.self, forKey: AnyCodingKey("version"))
        initialPrompt = try c.decodeIfPresent(String.self, forKey: AnyCodingKey("initialPrompt"))
        inputs = try c.decodeIfPresent([NameValuePair].self, forKey: AnyCodingKey("inputs")) ?? []
        additionalFields = try c.decodeAdditionalFields(excluding: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(version, forKey: AnyCodingKey("version"))
        try c.encodeIfPresent(initialPrompt, forKey: AnyCodingKey("initialPrompt"))
        try c.encode(inputs, forKey: AnyCodingKey("inputs"))
        try c.encodeAdditionalFields(additionalFields, excluding: Self.knownKeys)
    }
}

/// `$type: interaction-message` — send a message to an interaction that is already running,
/// found in the triggering event with a JSONPath query (`"$.item.id"`).
public struct InteractionMessageConfig: Hashable, Sendable, Codable {
    /// A singular JSONPath query evaluated against the event; its string value is the process id.
    public var interactionProcessIdFromEvent: String
    public var message: String
    /// Who the message appears to come from, e.g. `System`.
    public var senderType: String?
    /// Members Signalbox does not interpret, kept and passed on unchanged.
    public var additionalFields: [String: AnyJSON]

    public init(
        interactionProcessIdFromEvent: String,
        message: String,
        senderType: String? = nil,
        additionalFields: [String: AnyJSON] = [:]
    ) {
        self.interactionProcessIdFromEvent = interactionProcessIdFromEvent
        self.message = message
        self.senderType = senderType
        self.additionalFields = additionalFields
    }

    static let knownKeys: Set<String> = [
        ActionConfig.typeKey, "interactionProcessIdFromEvent", "message", "senderType",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        interactionProcessIdFromEvent = try c.decode(String.self, forKey: AnyCodingKey("interactionProcessIdFromEvent"))
        message = try c.decode(String.self, forKey: AnyCodingKey("message"))
        senderType = try c.decodeIfPresent(String.self, forKey: AnyCodingKey("senderType"))
        additionalFields = try c.decodeAdditionalFields(excluding: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(interactionProcessIdFromEvent, forKey: AnyCodingKey("interactionProcessIdFromEvent"))
        try c.encode(message, forKey: AnyCodingKey("message"))
        try c.encodeIfPresent(senderType, forKey: AnyCodingKey("senderType"))
        try c.encodeAdditionalFields(additionalFields, excluding: Self.knownKeys)
    }
}

/// `$type: capsule` — run a version of a capsule (container) with file systems and secrets.
public struct CapsuleConfig: Hashable, Sendable, Codable {
    public var version: VersionReference
    public var vfsMounts: [VFSMount]
    public var secretMounts: [SecretMount]
    /// Members Signalbox does not interpret, kept and passed on unchanged.
    public var additionalFields: [String: AnyJSON]

    public init(
        version: VersionReference,
        vfsMounts: [VFSMount] = [],
        secretMounts: [SecretMount] = [],
        additionalFields: [String: AnyJSON] = [:]
    ) {
        self.version = version
        self.vfsMounts = vfsMounts
        self.secretMounts = secretMounts
        self.additionalFields = additionalFields
    }

    static let knownKeys: Set<String> = [ActionConfig.typeKey, "version", "vfsMounts", "secretMounts"]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        version = try c.decode(VersionReference.self, forKey: AnyCodingKey("version"))
        vfsMounts = try c.decodeIfPresent([VFSMount].self, forKey: AnyCodingKey("vfsMounts")) ?? []
        secretMounts = try c.decodeIfPresent([SecretMount].self, forKey: AnyCodingKey("secretMounts")) ?? []
        additionalFields = try c.decodeAdditionalFields(excluding: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyCodingKey.self)
        try c.encode(version, forKey: AnyCodingKey("version"))
        try c.encode(vfsMounts, forKey: AnyCodingKey("vfsMounts"))
        try c.encode(secretMounts, forKey: AnyCodingKey("secretMounts"))
        try c.encodeAdditionalFields(additionalFields, excluding: Self.knownKeys)
    }
}

extension KeyedDecodingContainer where Key == AnyCodingKey {
    /// Every member not in `known`, as JSON.
    func decodeAdditionalFields(excluding known: Set<String>) throws -> [String: AnyJSON] {
        var fields: [String: AnyJSON] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            fields[key.stringValue] = try decode(AnyJSON.self, forKey: key)
        }
        return fields
    }
}

extension KeyedEncodingContainer where Key == AnyCodingKey {
    /// Writes the extra members in key order; a member shadowing a known key is dropped.
    mutating func encodeAdditionalFields(_ fields: [String: AnyJSON], excluding known: Set<String>) throws {
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
            try encode(value, forKey: AnyCodingKey(key))
        }
    }
}
