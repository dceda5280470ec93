import Foundation

/// An IPv4 or IPv6 address as bytes, with the ranges LabGate must not be steered into.
public struct IPAddress: Sendable, Hashable {
    public let bytes: [UInt8]

    public init?(_ socketAddress: UnsafeMutablePointer<sockaddr>?) {
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

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), or self.
    private var unmapped: IPAddress {
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return IPAddress(bytes: Array(bytes[12...]))
        }
        return self
    }

    public var isLoopback: Bool {
        let address = unmapped.bytes
        return address.count == 4 ? address[0] == 127 : address == Array(repeating: 0, count: 15) + [1]
    }

    /// In a range of IANA's IPv4 or IPv6 special-purpose address registry, or multicast, or
    /// reserved: anything but an ordinary public unicast address. An IPv4 address carried in
    /// an IPv6 one (mapped, compatible, NAT64, 6to4, Teredo) is judged as the IPv4 address.
    public var isPrivate: Bool {
        if bytes.count == 4 { return Self.isSpecialIPv4(bytes) }
        if let embedded = embeddedIPv4 { return Self.isSpecialIPv4(embedded) }
        // Global unicast is 2000::/3; inside it, only these blocks are special.
        guard bytes[0] & 0xe0 == 0x20 else { return true }
        let first = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let second = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        if first == 0x2001 && second < 0x0200 { return true }  // 2001::/23 IETF protocol assignments (Teredo, ORCHID, …)
        if first == 0x2001 && second == 0x0db8 { return true }  // 2001:db8::/32 documentation
        if first == 0x2002 { return true }  // 2002::/16 6to4
        if first & 0xfff0 == 0x3ff0 { return true }  // 3fff::/20 documentation
        return false
    }

    /// The IPv4 address inside an IPv6 one that carries one: ::ffff:0:0/96, ::/96,
    /// 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64).
    private var embeddedIPv4: [UInt8]? {
        guard bytes.count == 16 else { return nil }
        let head = Array(bytes[0..<12])
        if head == Array(repeating: 0, count: 10) + [0xff, 0xff] || head == Array(repeating: 0, count: 12) { return Array(bytes[12...]) }
        if bytes[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x00] || bytes[0..<6] == [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01] { return Array(bytes[12...]) }
        return nil
    }

    /// IANA IPv4 special-purpose registry, with multicast and the reserved 240/4.
    private static func isSpecialIPv4(_ a: [UInt8]) -> Bool {
        switch (a[0], a[1], a[2]) {
        case (0, _, _), (10, _, _), (127, _, _): true
        case (100, 64...127, _): true  // shared address space (CGN)
        case (169, 254, _): true
        case (172, 16...31, _): true
        case (192, 0, 0), (192, 0, 2), (192, 31, 196), (192, 52, 193), (192, 88, 99), (192, 175, 48): true
        case (192, 168, _): true
        case (198, 18...19, _): true  // benchmarking
        case (198, 51, 100), (203, 0, 113): true  // documentation
        case (224...255, _, _): true  // multicast, reserved, broadcast
        default: false
        }
    }

    public var text: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
