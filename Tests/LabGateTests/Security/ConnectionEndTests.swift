import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import LabGate

#if canImport(Glibc)
    import Glibc
#endif

/// Connections that would otherwise be kept, with their buffers, until the process ended: one
/// whose request could not be parsed while the client goes on sending, and one that sends nothing.
@Suite("Connections that end")
struct ConnectionEndTests {
    /// What a raw client saw: the status line, and how long after it began the server cut it.
    struct Outcome {
        var statusLine = ""
        var cutAfter: Duration?
    }

    @Test("a 400 for a header over the limit, then the connection cut within the linger, however long the client sends")
    func oversizedHeader() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded())
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let outcome = await onOwnThread { Self.talk(port: port, sending: true, for: .seconds(15)) }
            #expect(outcome.statusLine.hasPrefix("HTTP/1.1 400"))
            let cutAfter = try #require(outcome.cutAfter, "the server kept the connection for 15 s")
            #expect(cutAfter < .nanoseconds(LingeringCloseHandler.linger.nanoseconds) + .seconds(3))
        }
    }

    @Test("a connection that sends nothing is closed after server.idleTimeoutSeconds")
    func idleConnection() async throws {
        let app = try await buildApplication(config: try TestConfig.embedded(["server.idleTimeoutSeconds": "1"]))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let outcome = await onOwnThread { Self.talk(port: port, sending: false, for: .seconds(15)) }
            let cutAfter = try #require(outcome.cutAfter, "the server kept an idle connection for 15 s")
            #expect(cutAfter >= .milliseconds(900) && cutAfter < .seconds(5))
        }
    }

    /// Connects, then either sends a request whose one header never ends (64 KB every 5 ms) or
    /// nothing, reading what the server answers, until it ends the connection or `limit` passes.
    static func talk(port: Int, sending: Bool, for limit: Duration) -> Outcome {
        var outcome = Outcome()
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        guard withLoopbackAddress(port: port, { connect(socket, $0, $1) }) == 0 else { return outcome }

        let clock = ContinuousClock()
        let start = clock.now
        var answer: [UInt8] = []
        let filler = [UInt8](repeating: UInt8(ascii: "b"), count: 65_536)
        var chunk = Array("GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ".utf8)
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ended = false
        while !ended, clock.now - start < limit {
            if sending {
                let sent = chunk.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                ended = sent < 0 && (errno == ECONNRESET || errno == EPIPE)
                chunk = filler
            }
            let read = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if read > 0 { answer += buffer[..<read] }
            // A sender learns of the end by a reset; an idle client by the end of the stream.
            ended = ended || (read < 0 && errno == ECONNRESET) || (!sending && read == 0)
            usleep(5_000)
        }
        if ended { outcome.cutAfter = clock.now - start }
        outcome.statusLine = String(decoding: answer.prefix { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
        return outcome
    }
}
