import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago: for servers whose address must be
/// known before they start (LabGate's public URL names its port).
///
/// It is chosen below the kernel's ephemeral range, so that no bind to port 0 and no
/// outgoing connection of this or another process can take it before the server binds it.
package func freeLoopbackPort() throws -> Int {
    let low = ephemeralRangeStart()
    for _ in 0..<200 {
        let port = Int.random(in: 10_000..<low)
        if canBind(port) { return port }
    }
    throw POSIXError(.EADDRINUSE)
}

/// The first port the kernel hands out for port 0 (`/proc/sys/net/ipv4/ip_local_port_range`).
private func ephemeralRangeStart() -> Int {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
    let low = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    return low > 12_000 ? low : 32_768
}

/// Whether 127.0.0.1:`port` can be bound now.
private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return withLoopbackAddress(port: port) { bind(fd, $0, $1) } == 0
}

/// Calls `body` with 127.0.0.1:`port` as the C socket calls (bind, connect) take it.
package func withLoopbackAddress(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}
