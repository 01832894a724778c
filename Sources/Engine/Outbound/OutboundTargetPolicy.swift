#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Which addresses `webhook` items may call: by default none in loopback, private, link-local,
/// shared (CGNAT), multicast or reserved ranges, so that an action cannot reach the service's own
/// network (metadata endpoints, databases, the broker's management port). The check runs on the
/// addresses a name resolves to, before each attempt. A name that resolves differently between
/// the check and the connection (DNS rebinding) is not caught: for that, set an egress proxy or
/// firewall as well.
public struct OutboundTargetPolicy: Sendable {
    public var allowPrivateTargets: Bool

    public init(allowPrivateTargets: Bool = false) {
        self.allowPrivateTargets = allowPrivateTargets
    }

    /// Why `address` may not be called, or nil when it may.
    public func refusal(of address: IPAddress) -> String? {
        guard !allowPrivateTargets, let range = address.restrictedRange else { return nil }
        return range
    }

    /// The addresses `host` resolves to (an address literal: itself). Blocking: run off the
    /// cooperative pool.
    public static func resolve(_ host: String) throws -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw ResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr, let parsed = IPAddress(socketAddress: address) {
                addresses.append(parsed)
            }
            cursor = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ResolutionError(host: host, reason: "no address") }
        return addresses
    }

    public struct ResolutionError: Error, CustomStringConvertible {
        public let host: String
        public let reason: String
        public var description: String { "cannot resolve \(host): \(reason)" }
    }
}

/// An IPv4 or IPv6 address, as its bytes.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6).
    public let bytes: [UInt8]

    public init?(_ text: String) {
        let trimmed = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, trimmed, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    init?(socketAddress: UnsafePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            bytes = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
            }
        case AF_INET6:
            bytes = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
            }
        default:
            return nil
        }
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// The name of the restricted range the address is in (`loopback`, `private`, …), or nil for
    /// a public address.
    public var restrictedRange: String? {
        if bytes.count == 4 { return Self.restrictedIPv4(bytes) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 ? "loopback" : "unspecified" }
        // IPv4-mapped (::ffff:0:0/96), IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4
        // (2002::/16) addresses carry an IPv4 address: judged by it.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && (bytes[10] == 0xff && bytes[11] == 0xff || bytes[10] == 0 && bytes[11] == 0)
            || bytes[0..<12] == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        {
            return Self.restrictedIPv4(Array(bytes[12..<16]))
        }
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return Self.restrictedIPv4(Array(bytes[2..<6])) }
        // Local-use NAT64 (64:ff9b:1::/48): translates to a network of the operator's choosing.
        if bytes[0..<6] == [0, 0x64, 0xff, 0x9b, 0, 1] { return "private (local-use NAT64)" }
        if bytes[0] & 0xfe == 0xfc { return "private (unique local)" }
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return "link-local" }
        if bytes[0] == 0xff { return "multicast" }
        return nil
    }

    private static func restrictedIPv4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (127, _): "loopback"
        case (10, _), (172, 16...31), (192, 168): "private"
        case (169, 254): "link-local"
        case (100, 64...127): "shared (carrier-grade NAT)"
        case (0, _): "unspecified"
        case (198, 18...19): "benchmarking"
        case (192, 0) where b[2] == 0: "reserved (IETF protocol assignments)"
        case (192, 0) where b[2] == 2, (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: "documentation"
        case (224...239, _): "multicast"
        case (240...255, _): "reserved"
        default: nil
        }
    }
}
