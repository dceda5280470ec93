import Foundation

/// An IPv4 or IPv6 address as bytes, with the ranges LabGate must not be steered into.
struct IPAddress: Sendable, Hashable {
    let bytes: [UInt8]

    init?(_ socketAddress: UnsafeMutablePointer<sockaddr>?) {
        guard let socketAddress else { return nil }
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

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or self.
    private var unmapped: IPAddress {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return IPAddress(bytes: Array(bytes[12...]))
        }
        return self
    }

    var isLoopback: Bool {
        let address = unmapped.bytes
        return address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    /// Loopback, private (RFC 1918, fc00::/7), link-local, carrier-grade NAT or unspecified.
    var isPrivate: Bool {
        let address = unmapped.bytes
        if isLoopback || address.allSatisfy({ $0 == 0 }) { return true }
        if address.count == 4 {
            switch (address[0], address[1]) {
            case (10, _), (169, 254), (192, 168), (0, _): return true
            case (172, let second): if (16...31).contains(second) { return true }
            case (100, let second): if (64...127).contains(second) { return true }
            default: break
            }
            return false
        }
        return (address[0] & 0xfe) == 0xfc || (address[0] == 0xfe && (address[1] & 0xc0) == 0x80)
    }

    var text: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
