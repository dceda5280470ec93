import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A typed client for the parts of the Proxmox VE API that the lab lifecycle uses.
/// Transient failures (595, lock timeouts, refused connections) are retried with backoff;
/// a call that may have had an effect is retried only if it is idempotent.
public final class ProxmoxClient: Sendable {
    public let settings: ProxmoxSettings
    private let transport: ProxmoxTransport
    let logger: Logger

    public init(settings: ProxmoxSettings, logger: Logger = Logger(label: "labgate.proxmox")) throws(ProxmoxError) {
        guard let url = URL(string: settings.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), let host = url.host
        else { throw .invalidSettings("proxmox.url '\(settings.baseURL)' is not an http(s) URL such as https://pve1.example.edu:8006") }
        if scheme == "http", !Self.isLoopback(host) {
            throw .invalidSettings("proxmox.url must use https unless it is on this machine (the simulator)")
        }
        self.settings = settings
        self.logger = logger
        self.transport = ProxmoxTransport(host: host, port: url.port ?? (scheme == "https" ? 443 : 80), trust: settings.trust, connectTimeout: settings.connectTimeout)
    }

    /// Closes the connections; the client cannot be used afterwards.
    public func shutdown() async throws { try await transport.shutdown() }

    /// Calls `method path` and decodes PVE's `data`. Retries transient failures when the
    /// call is `idempotent` or certainly did not happen, up to `maxAttempts` (the policy's by default).
    func call<T: Decodable & Sendable>(
        _ method: HTTPMethod, _ path: String, _ params: ProxmoxParameters = .init(), idempotent: Bool,
        maxAttempts: Int? = nil, as type: T.Type = T.self
    ) async throws(ProxmoxError) -> T {
        let maxAttempts = maxAttempts ?? settings.retry.maxAttempts
        var attempt = 1
        while true {
            do {
                return try await callOnce(method, path, params, as: type)
            } catch let error where error.isTransient && (idempotent || error.certainlyNotApplied) && attempt < maxAttempts {
                let pause = settings.retry.delay(after: attempt)
                logger.info("proxmox call will be retried", metadata: ["call": "\(method) \(path)", "attempt": "\(attempt)", "error": "\(error)"])
                attempt += 1
                try? await Task.sleep(for: pause)
            }
        }
    }

    private func callOnce<T: Decodable & Sendable>(
        _ method: HTTPMethod, _ path: String, _ params: ProxmoxParameters, as type: T.Type
    ) async throws(ProxmoxError) -> T {
        let inBody = method == .POST || method == .PUT
        var url = settings.baseURL + "/api2/json" + path
        if !inBody, !params.isEmpty { url += "?" + params.encoded }
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "PVEAPIToken=\(settings.tokenID)=\(settings.tokenSecret)")
        request.headers.add(name: "Accept", value: "application/json")
        if inBody {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: params.encoded))
        }
        let status: HTTPResponseStatus
        let body: ByteBuffer
        do {
            let client = try await transport.client()
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(settings.requestTimeout / .nanoseconds(1))))
            status = response.status
            body = try await response.body.collect(upTo: 16 << 20)
        } catch let error as ProxmoxError {
            throw error
        } catch {
            throw Self.connectionError(error)
        }
        guard status == .ok else { throw Self.apiError(status: status, body: body) }
        do {
            return try JSONDecoder().decode(DataEnvelope<T>.self, from: body).data
        } catch {
            throw .unexpectedAnswer("\(method) \(path): \(error)")
        }
    }

    /// PVE's error text: the body's `message` (which PVE 9 always sends) and per-parameter
    /// `errors`, else the status line. (PVE also writes the message into the reason phrase,
    /// but SwiftNIO's HTTP/1 decoder discards reason phrases, so the status line holds only
    /// the standard text.)
    static func apiError(status: HTTPResponseStatus, body: ByteBuffer) -> ProxmoxError {
        let answer = try? JSONDecoder().decode(ErrorEnvelope.self, from: body)
        var message = (answer?.message ?? status.reasonPhrase).trimmingCharacters(in: .whitespacesAndNewlines)
        if message.isEmpty { message = "HTTP status \(status.code)" }
        if let errors = answer?.errors, !errors.isEmpty {
            message += " " + errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.trimmingCharacters(in: .whitespacesAndNewlines))" }
                .joined(separator: "; ")
        }
        switch status.code {
        case 595: return .nodeUnreachable(message)
        case 401: return .unauthorized(message)
        default: return .api(status: Int(status.code), message: message)
        }
    }

    /// Whether the request may have reached PVE decides whether it may be sent again.
    static func connectionError(_ error: any Error) -> ProxmoxError {
        if error is NIOSSLError || error is BoringSSLError {
            return .untrustedCertificate("\(error)")
        }
        let refused = (error as? IOError)?.errnoCode == ECONNREFUSED
        var connectTimedOut = (error as? HTTPClientError) == .connectTimeout
        if case .connectTimeout? = error as? ChannelError { connectTimedOut = true }
        if connectTimedOut || error is NIOConnectionError || refused {
            return .connection("\(error)", sent: false)
        }
        return .connection("\(error)", sent: true)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }
}

/// PVE wraps every answer in `{"data": …}`.
private struct DataEnvelope<T: Decodable>: Decodable {
    var data: T
}

private struct ErrorEnvelope: Decodable {
    var message: String?
    var errors: [String: String]?
}

/// What an API call answers when it answers nothing (`"data": null`).
public struct PVENothing: Sendable, Decodable {
    public init(from decoder: any Decoder) throws {}
}
