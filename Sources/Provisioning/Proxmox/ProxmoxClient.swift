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

    /// Refuses settings that cannot work (a URL with a path, plain HTTP off this machine,
    /// an unreadable CA file, a malformed fingerprint) before any request is made.
    /// `systemBundle` is where `trust: system` reads the authorities the system trusts.
    public init(
        settings: ProxmoxSettings, logger: Logger = Logger(label: "labgate.proxmox"), systemBundle: String = "/etc/ssl/certs/ca-certificates.crt"
    ) throws(ProxmoxError) {
        self.settings = settings
        self.logger = logger
        self.transport = try ProxmoxTransport(
            endpoint: ProxmoxEndpoint(url: settings.baseURL), trust: settings.trust, connectTimeout: settings.connectTimeout, systemBundle: systemBundle)
    }

    /// Closes the connections; the client cannot be used afterwards.
    public func shutdown() async throws { await transport.shutdown() }

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
        var uri = "/api2/json" + path
        if !inBody, !params.isEmpty { uri += "?" + params.encoded }
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        head.headers.add(name: "Host", value: transport.endpoint.hostHeader)
        head.headers.add(name: "Authorization", value: "PVEAPIToken=\(settings.tokenID)=\(settings.tokenSecret)")
        head.headers.add(name: "Accept", value: "application/json")
        var form: ByteBuffer?
        if inBody {
            let encoded = ByteBuffer(string: params.encoded)
            head.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            head.headers.add(name: "Content-Length", value: String(encoded.readableBytes))
            form = encoded
        } else if method == .DELETE {
            head.headers.add(name: "Content-Length", value: "0")
        }
        let answer = try await transport.execute(head, body: form, timeout: settings.requestTimeout)
        let (status, body) = (answer.status, answer.body)
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
            message +=
                " "
                + errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.trimmingCharacters(in: .whitespacesAndNewlines))" }
                .joined(separator: "; ")
        }
        switch status.code {
        case 595: return .nodeUnreachable(message)
        case 401: return .unauthorized(message)
        default: return .api(status: Int(status.code), message: message)
        }
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
