import NIOCore
import NIOHTTP1

/// Keeps the connections to one Proxmox endpoint: a request takes an idle connection or
/// opens one, and gives it back when its answer was whole and the server keeps it open.
actor ProxmoxTransport {
    let endpoint: ProxmoxEndpoint
    private let trust: ProxmoxTrustCheck?
    private let connectTimeout: Duration
    private var idle: [(connection: ProxmoxConnection, since: ContinuousClock.Instant)] = []
    private var closed = false

    /// Connections kept open between requests, and how long one may sit unused: pveproxy
    /// closes a connection after 5 s without traffic (its handles' timeout) and after every
    /// error answer (`Connection: close`, which `keepAlive` honours); a request sent on a
    /// connection it is closing would be lost.
    private static let maxIdle = 16
    private static let idleLifetime = Duration.seconds(2)

    init(endpoint: ProxmoxEndpoint, trust: ProxmoxTrust, connectTimeout: Duration, systemBundle: String) throws(ProxmoxError) {
        self.endpoint = endpoint
        self.trust = endpoint.isTLS ? try ProxmoxTrustCheck(trust: trust, endpoint: endpoint, systemBundle: systemBundle) : nil
        self.connectTimeout = connectTimeout
    }

    /// Sends one request and returns the whole answer. Errors say whether the request may have been sent.
    nonisolated func execute(_ head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration) async throws(ProxmoxError) -> ProxmoxAnswer {
        let connection = try await checkout()
        do {
            let answer = try await connection.send(head, body: body, timeout: timeout)
            await checkin(connection, reusable: answer.keepAlive)
            return answer
        } catch {
            connection.close()
            switch error {
            case is ProxmoxAnswerTimeout:
                throw .connection("\(endpoint.display): no answer within \(timeout.components.seconds) s (proxmox.timeoutSeconds)", sent: true)
            case is ProxmoxRequestNotSent:
                throw .connection("\(endpoint.display): the connection closed before the request was sent", sent: false)
            default:
                throw .connection("\(endpoint.display): the connection closed before the answer was complete", sent: true)
            }
        }
    }

    private func checkout() async throws(ProxmoxError) -> ProxmoxConnection {
        guard !closed else { throw .invalidSettings("the Proxmox client was shut down") }
        let now = ContinuousClock.now
        while let (connection, since) = idle.popLast() {
            if connection.isUsable, now - since < Self.idleLifetime { return connection }
            connection.close()
        }
        return try await ProxmoxConnection.open(to: endpoint, trust: trust, connectTimeout: connectTimeout)
    }

    private func checkin(_ connection: ProxmoxConnection, reusable: Bool) {
        guard reusable, !closed, connection.isUsable, idle.count < Self.maxIdle else { return connection.close() }
        idle.append((connection, .now))
    }

    func shutdown() {
        closed = true
        for (connection, _) in idle { connection.close() }
        idle = []
    }
}
