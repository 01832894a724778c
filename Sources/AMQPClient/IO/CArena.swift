import Foundation
internal import CRabbitMQ

/// Owns C memory handed to rabbitmq-c for the duration of one call.
///
/// Strings and tables passed to rabbitmq-c must outlive the call; `withCString` on a temporary does
/// not (the broker once answered `no exchange 'swiftche'`). Everything is freed on `deinit`, so keep
/// the arena alive across the call with `withExtendedLifetime`.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for pointer in allocations { free(pointer) }
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let pointer = malloc(max(byteCount, 1))!
        allocations.append(pointer)
        return pointer
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ array: [UInt8]) -> amqp_bytes_t {
        guard !array.isEmpty else { return amqp_bytes_t(len: 0, bytes: nil) }
        let pointer = allocate(byteCount: array.count)
        array.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: array.count) }
        return amqp_bytes_t(len: array.count, bytes: pointer)
    }

    func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let pointer = allocate(byteCount: utf8.count).bindMemory(to: CChar.self, capacity: utf8.count)
        utf8.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: utf8.count) }
        return UnsafePointer(pointer)
    }

    func table(_ table: AMQPTable) -> amqp_table_t {
        guard !table.isEmpty else { return amqp_empty_table }
        let entries = allocate(byteCount: MemoryLayout<amqp_table_entry_t>.stride * table.count)
            .bindMemory(to: amqp_table_entry_t.self, capacity: table.count)
        for (index, (key, value)) in table.sorted(by: { $0.key < $1.key }).enumerated() {
            entries.advanced(by: index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field(value)))
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    func field(_ value: AMQPFieldValue) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        func kind(_ k: amqp_field_value_kind_t) -> UInt8 { UInt8(truncatingIfNeeded: k.rawValue) }
        switch value {
        case .bool(let flag):
            field.kind = kind(AMQP_FIELD_KIND_BOOLEAN)
            field.value.boolean = flag ? 1 : 0
        case .int(let number):
            field.kind = kind(AMQP_FIELD_KIND_I64)
            field.value.i64 = number
        case .double(let number):
            field.kind = kind(AMQP_FIELD_KIND_F64)
            field.value.f64 = number
        case .string(let text):
            field.kind = kind(AMQP_FIELD_KIND_UTF8)
            field.value.bytes = bytes(text)
        case .bytes(let data):
            field.kind = kind(AMQP_FIELD_KIND_BYTES)
            field.value.bytes = bytes(data)
        case .timestamp(let seconds):
            field.kind = kind(AMQP_FIELD_KIND_TIMESTAMP)
            field.value.u64 = seconds
        case .table(let nested):
            field.kind = kind(AMQP_FIELD_KIND_TABLE)
            field.value.table = table(nested)
        case .array(let elements):
            field.kind = kind(AMQP_FIELD_KIND_ARRAY)
            let pointer = allocate(byteCount: MemoryLayout<amqp_field_value_t>.stride * max(elements.count, 1))
                .bindMemory(to: amqp_field_value_t.self, capacity: max(elements.count, 1))
            for (index, element) in elements.enumerated() { pointer.advanced(by: index).initialize(to: self.field(element)) }
            field.value.array = amqp_array_t(num_entries: Int32(elements.count), entries: pointer)
        case .void:
            field.kind = kind(AMQP_FIELD_KIND_VOID)
        }
        return field
    }

    /// Basic properties for a publish; persistent unless the properties say otherwise.
    func properties(_ properties: AMQPProperties) -> amqp_basic_properties_t {
        var props = amqp_basic_properties_t()
        var flags: UInt32 = 0
        func set(_ flag: Int32) { flags |= UInt32(flag) }
        props.delivery_mode = properties.persistent ? 2 : 1
        set(AMQP_BASIC_DELIVERY_MODE_FLAG)
        if let value = properties.contentType { props.content_type = bytes(value); set(AMQP_BASIC_CONTENT_TYPE_FLAG) }
        if let value = properties.contentEncoding { props.content_encoding = bytes(value); set(AMQP_BASIC_CONTENT_ENCODING_FLAG) }
        if !properties.headers.isEmpty { props.headers = table(properties.headers); set(AMQP_BASIC_HEADERS_FLAG) }
        if let value = properties.priority { props.priority = value; set(AMQP_BASIC_PRIORITY_FLAG) }
        if let value = properties.correlationID { props.correlation_id = bytes(value); set(AMQP_BASIC_CORRELATION_ID_FLAG) }
        if let value = properties.replyTo { props.reply_to = bytes(value); set(AMQP_BASIC_REPLY_TO_FLAG) }
        if let value = properties.expiration { props.expiration = bytes(value); set(AMQP_BASIC_EXPIRATION_FLAG) }
        if let value = properties.messageID { props.message_id = bytes(value); set(AMQP_BASIC_MESSAGE_ID_FLAG) }
        if let value = properties.timestamp {
            props.timestamp = UInt64(max(0, value.timeIntervalSince1970))
            set(AMQP_BASIC_TIMESTAMP_FLAG)
        }
        if let value = properties.type { props.type = bytes(value); set(AMQP_BASIC_TYPE_FLAG) }
        if let value = properties.userID { props.user_id = bytes(value); set(AMQP_BASIC_USER_ID_FLAG) }
        if let value = properties.appID { props.app_id = bytes(value); set(AMQP_BASIC_APP_ID_FLAG) }
        props._flags = flags
        return props
    }
}

// MARK: - Decoding what rabbitmq-c hands out (copied before its buffers are released)

extension amqp_bytes_t {
    var array: [UInt8] {
        guard len > 0, let bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: len))
    }

    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }
}

extension amqp_table_t {
    var swiftTable: AMQPTable {
        var result: AMQPTable = [:]
        guard num_entries > 0, let entries else { return result }
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            result[entry.key.string] = entry.value.swiftValue
        }
        return result
    }
}

extension amqp_field_value_t {
    var swiftValue: AMQPFieldValue {
        switch UInt32(kind) {
        case AMQP_FIELD_KIND_BOOLEAN.rawValue: return .bool(value.boolean != 0)
        case AMQP_FIELD_KIND_I8.rawValue: return .int(Int64(value.i8))
        case AMQP_FIELD_KIND_U8.rawValue: return .int(Int64(value.u8))
        case AMQP_FIELD_KIND_I16.rawValue: return .int(Int64(value.i16))
        case AMQP_FIELD_KIND_U16.rawValue: return .int(Int64(value.u16))
        case AMQP_FIELD_KIND_I32.rawValue: return .int(Int64(value.i32))
        case AMQP_FIELD_KIND_U32.rawValue: return .int(Int64(value.u32))
        case AMQP_FIELD_KIND_I64.rawValue: return .int(value.i64)
        case AMQP_FIELD_KIND_U64.rawValue: return .int(Int64(truncatingIfNeeded: value.u64))
        case AMQP_FIELD_KIND_F32.rawValue: return .double(Double(value.f32))
        case AMQP_FIELD_KIND_F64.rawValue: return .double(value.f64)
        case AMQP_FIELD_KIND_DECIMAL.rawValue:
            return .double(Double(value.decimal.value) / pow(10, Double(value.decimal.decimals)))
        case AMQP_FIELD_KIND_UTF8.rawValue: return .string(value.bytes.string)
        case AMQP_FIELD_KIND_BYTES.rawValue: return .bytes(value.bytes.array)
        case AMQP_FIELD_KIND_TIMESTAMP.rawValue: return .timestamp(value.u64)
        case AMQP_FIELD_KIND_TABLE.rawValue: return .table(value.table.swiftTable)
        case AMQP_FIELD_KIND_ARRAY.rawValue:
            guard value.array.num_entries > 0, let entries = value.array.entries else { return .array([]) }
            return .array((0..<Int(value.array.num_entries)).map { entries[$0].swiftValue })
        default: return .void
        }
    }
}

extension amqp_basic_properties_t {
    var swiftProperties: AMQPProperties {
        func has(_ flag: Int32) -> Bool { _flags & UInt32(flag) != 0 }
        return AMQPProperties(
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? content_type.string : nil,
            contentEncoding: has(AMQP_BASIC_CONTENT_ENCODING_FLAG) ? content_encoding.string : nil,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? headers.swiftTable : [:],
            persistent: has(AMQP_BASIC_DELIVERY_MODE_FLAG) && delivery_mode == 2,
            priority: has(AMQP_BASIC_PRIORITY_FLAG) ? priority : nil,
            correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG) ? correlation_id.string : nil,
            replyTo: has(AMQP_BASIC_REPLY_TO_FLAG) ? reply_to.string : nil,
            expiration: has(AMQP_BASIC_EXPIRATION_FLAG) ? expiration.string : nil,
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? message_id.string : nil,
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? Date(timeIntervalSince1970: TimeInterval(timestamp)) : nil,
            type: has(AMQP_BASIC_TYPE_FLAG) ? type.string : nil,
            userID: has(AMQP_BASIC_USER_ID_FLAG) ? user_id.string : nil,
            appID: has(AMQP_BASIC_APP_ID_FLAG) ? app_id.string : nil
        )
    }
}
