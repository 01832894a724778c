import Testing

@testable import Automation

@Suite("SHA-1 (FIPS 180-4 vectors)")
struct SHA1Tests {
    @Test(
        "digests of the FIPS 180-4 / NIST example messages",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
            ),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "a49b2446a02c645bf419f995b67091253a04a259"
            ),
            ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ]
    )
    func vectors(message: String, digest: String) {
        #expect(SHA1Hasher.hexDigest(message) == digest)
    }

    @Test("one million times 'a', fed in uneven chunks")
    func millionA() {
        var hasher = SHA1Hasher()
        var remaining = 1_000_000
        var chunk = 1
        while remaining > 0 {
            let n = min(chunk, remaining)
            hasher.update(repeatElement(UInt8(ascii: "a"), count: n))
            remaining -= n
            chunk = chunk % 97 + 13
        }
        #expect(hex(hasher.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("padding boundaries: 55, 56, 63, 64 and 65 bytes hash the same split or whole")
    func boundaries() {
        for length in [55, 56, 63, 64, 65, 119, 120, 128] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let whole = SHA1Hasher.hash(bytes)
            for split in [0, 1, length / 2, length] {
                var hasher = SHA1Hasher()
                hasher.update(bytes[..<split])
                hasher.update(bytes[split...])
                #expect(hasher.finalize() == whole, "length \(length) split at \(split)")
            }
            #expect(whole.count == 20)
        }
    }

    @Test("a 64-byte message (one full block plus a padding block)")
    func fullBlock() {
        // printf 'a%.0s' {1..64} | sha1sum
        #expect(SHA1Hasher.hexDigest(String(repeating: "a", count: 64)) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
