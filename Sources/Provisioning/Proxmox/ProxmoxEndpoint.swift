import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where a Proxmox API listens, read from `proxmox.url`, and how a failure to reach it is told.
struct ProxmoxEndpoint: Sendable, Hashable {
    let scheme: String
    let host: String
    let port: Int

    /// Refuses a URL that is not `http(s)://host[:port]`, and plain HTTP off this machine.
    init(url text: String) throws(ProxmoxError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty
        else { throw .invalidSettings("proxmox.url '\(text)' is not an http(s) URL such as https://pve1.example.edu:8006") }
        guard url.path.isEmpty || url.path == "/" else {
            throw .invalidSettings(
                "proxmox.url must name only the server, as https://pve1.example.edu:8006, without a path: LabGate adds /api2/json itself (found '\(url.path)')")
        }
        if scheme == "http", !Self.isLoopback(host) {
            throw .invalidSettings("proxmox.url must use https unless it is on this machine (the simulator)")
        }
        self.scheme = scheme
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
    }

    var isTLS: Bool { scheme == "https" }

    /// Whether `host` is an IP address (no SNI, and the certificate must name the address).
    var isAddress: Bool { (try? SocketAddress(ipAddress: host, port: port)) != nil }

    /// `https://pve1:8006`, for messages.
    var display: String { "\(scheme)://\(hostHeader)" }

    /// `pve1:8006`, as the `Host` header names it.
    var hostHeader: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// A failure to connect or to finish the handshake, in words; never sent, so safe to repeat.
    func connectionFailure(_ error: any Error, connectTimeout: Duration) -> ProxmoxError {
        let what: String
        var error = error
        if let attempts = error as? NIOConnectionError {
            if let first = attempts.connectionErrors.first?.error {
                error = first
            } else if attempts.dnsAError != nil || attempts.dnsAAAAError != nil {
                return .connection("\(display): the host name '\(host)' cannot be resolved", sent: false)
            }
        }
        switch error {
        case ChannelError.connectTimeout:
            what = "no answer within \(connectTimeout.components.seconds) s (proxmox.connectTimeout); is the host up and port \(port) open?"
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            what = "connection refused; is pveproxy running and listening on port \(port)?"
        case let error as NIOSSLError:
            what = "the TLS handshake failed (\(Self.tlsReason(error))); does \(display) speak HTTPS?"
        default:
            what = Self.shortReason(error)
        }
        return .connection("\(display): \(what)", sent: false)
    }

    /// BoringSSL's reason names (`WRONG_VERSION_NUMBER`), without the library's source paths.
    static func tlsReason(_ error: NIOSSLError) -> String {
        let text = "\(error)"
        var reasons: [String] = []
        for piece in text.split(separator: ":") {
            let word = piece.split(separator: " ").first.map(String.init) ?? ""
            if word.count > 3, word.allSatisfy({ $0.isUppercase || $0 == "_" || $0.isNumber }), !reasons.contains(word) { reasons.append(word) }
        }
        return reasons.isEmpty ? "handshake failed" : reasons.joined(separator: ", ")
    }

    /// The first line of an error's text, without any source path.
    static func shortReason(_ error: any Error) -> String {
        let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        return text.components(separatedBy: " at /").first ?? text
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}
