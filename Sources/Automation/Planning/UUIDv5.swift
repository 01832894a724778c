import Crypto
import Foundation

/// Name-based UUIDs, version 5 (RFC 9562 §5.5): the SHA-1 of a namespace UUID's 16 bytes followed
/// by a name's bytes, truncated to 128 bits, with the version and variant bits set.
///
/// The same namespace and name always give the same UUID; that is what makes command ids
/// deterministic, so a redelivered event yields commands downstream consumers can de-duplicate.
public enum UUIDv5 {
    /// The UUID for `name` (its UTF-8) in `namespace`.
    public static func make(namespace: UUID, name: String) -> UUID {
        // SHA-1 is what RFC 9562 names for v5; it identifies, it does not protect.
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        var text = name
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let d = Array(hasher.finalize())
        return UUID(
            uuid: (
                d[0], d[1], d[2], d[3], d[4], d[5],
                (d[6] & 0x0F) | 0x50,  // version 5
                d[7],
                (d[8] & 0x3F) | 0x80,  // variant 10 (RFC 9562)
                d[9], d[10], d[11], d[12], d[13], d[14], d[15]
            )
        )
    }

    /// The DNS namespace of RFC 9562 §6.6 (`6ba7b810-9dad-11d1-80b4-00c04fd430c8`), for test
    /// vectors and interoperability.
    public static let dnsNamespace = UUID(
        uuid: (0x6B, 0xA7, 0xB8, 0x10, 0x9D, 0xAD, 0x11, 0xD1, 0x80, 0xB4, 0x00, 0xC0, 0x4F, 0xD4, 0x30, 0xC8)
    )

    /// Signalbox's own namespace for command ids (`3f1c5b0e-8d2a-4e6b-9a47-51c0d3e2b8f6`, a
    /// random version 4 UUID fixed once). Never change it: every command id ever published was
    /// derived from it, and a changed namespace would make a redelivered event start its
    /// processes a second time.
    public static let signalboxNamespace = UUID(
        uuid: (0x3F, 0x1C, 0x5B, 0x0E, 0x8D, 0x2A, 0x4E, 0x6B, 0x9A, 0x47, 0x51, 0xC0, 0xD3, 0xE2, 0xB8, 0xF6)
    )
}
