import Crypto

/// The format of API token secrets: `sbx_` followed by 32 random bytes in unpadded base64url
/// (43 characters). The prefix lets secret scanners and people recognise a Signalbox token.
public enum TokenSecret {
    /// The fixed prefix of every token.
    public static let prefix = "sbx_"
    /// Random bytes per secret.
    public static let byteCount = 32

    /// A new secret from `generator` (the system's cryptographic generator by default).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        for _ in 0..<byteCount { bytes.append(UInt8.random(in: .min ... .max, using: &generator)) }
        return prefix + base64URL(bytes)
    }

    /// A new secret from the system's cryptographic random generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The hash stored for `secret`: lowercase hex SHA-256 of its UTF-8 (swift-crypto's).
    public static func hash(_ secret: String) -> String {
        var text = secret
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` has the shape of a token (cheap check before a store lookup).
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.utf8.dropFirst(prefix.utf8.count)
        return body.count == 43 && body.allSatisfy { alphabet.utf8.contains($0) }
    }

    static let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    static func base64URL(_ bytes: [UInt8]) -> String {
        let table = Array(alphabet.utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for byte in chunk { value = value << 8 | UInt32(byte) }
            value <<= UInt32(8 * (3 - chunk.count))
            for position in 0...chunk.count {
                out.append(table[Int((value >> UInt32(18 - 6 * position)) & 0x3f)])
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
