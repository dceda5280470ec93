import Foundation

/// Where a server that a test starts as a child process listens: a random 127.x.y.z, so no
/// other test's server is at that address, and a port below the kernel's ephemeral range,
/// so no outgoing connection of the busy test process holds it (a random port in that range
/// once met "Address already in use", and the test waited on whatever held it).
public struct LoopbackAddress: Sendable {
    public let host: String
    public let port: Int

    public var url: String { "http://\(host):\(port)" }

    public static func random() -> LoopbackAddress {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let ephemeralLow = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }.map { max($0, 12_000) } ?? 32_768
        return LoopbackAddress(
            host: "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))",
            port: Int.random(in: 10_000..<ephemeralLow))
    }
}
