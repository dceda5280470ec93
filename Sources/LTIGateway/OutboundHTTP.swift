import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// LabGate's calls to platforms: JSON over HTTP(S), every URL checked by the policy first,
/// redirects never followed (a redirect could lead where the policy refused to go), small
/// bodies and short timeouts.
public final class OutboundHTTP: Sendable {
    private let client: HTTPClient
    let policy: OutboundURLPolicy
    private static let maxBody = 1 << 20
    private static let timeout = TimeAmount.seconds(5)

    public init(policy: OutboundURLPolicy) {
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration())
        self.policy = policy
    }

    private static func configuration(pinning host: String? = nil, to address: String? = nil) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: Self.timeout, read: Self.timeout))
        configuration.decompression = .disabled
        if let host, let address { configuration.dnsOverride = [host: address] }
        return configuration
    }

    /// Fetches and decodes JSON from `url`.
    func getJSON<T: Decodable>(_ type: T.Type, from url: String, checkAddresses: Bool) async throws(OutboundCallError) -> T {
        let target = try checked(url, checkAddresses: checkAddresses)
        var request = HTTPClientRequest(url: target.url.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        return try await send(request, to: target, decoding: type)
    }

    /// Posts JSON to `url` with an optional bearer token and decodes the JSON answer.
    func postJSON<T: Decodable>(
        _ body: some Encodable, to url: String, bearer: String?, decoding type: T.Type, checkAddresses: Bool
    ) async throws(OutboundCallError) -> T {
        let target = try checked(url, checkAddresses: checkAddresses)
        var request = HTTPClientRequest(url: target.url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer, !bearer.isEmpty { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        do {
            request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        } catch {
            throw .unreadable("could not encode the request: \(error)")
        }
        return try await send(request, to: target, decoding: type)
    }

    /// Closes the connections.
    public func shutdown() async {
        try? await client.shutdown()
    }

    private func checked(_ url: String, checkAddresses: Bool) throws(OutboundCallError) -> OutboundURLPolicy.Checked {
        do {
            return try policy.check(url, checkAddresses: checkAddresses)
        } catch {
            throw .refused(error)
        }
    }

    /// Sends on the shared client, or, for an address that was checked, on a client of its
    /// own that connects to exactly that address (the name still names the TLS server).
    private func send<T: Decodable>(_ request: HTTPClientRequest, to target: OutboundURLPolicy.Checked, decoding type: T.Type) async throws(OutboundCallError)
        -> T
    {
        let body: ByteBuffer
        let status: UInt
        let pinned = target.address.map { HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(pinning: target.url.host, to: $0)) }
        do {
            let response = try await (pinned ?? client).execute(request, timeout: Self.timeout)
            status = response.status.code
            body = try await response.body.collect(upTo: Self.maxBody)
            try? await pinned?.shutdown()
        } catch {
            try? await pinned?.shutdown()
            throw .unreachable(String(describing: error))
        }
        guard (200..<300).contains(status) else { throw .status(Int(status)) }
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw .unreadable("the answer is not the JSON expected: \(error)")
        }
    }
}

/// Why an outbound call failed.
public enum OutboundCallError: Error, Sendable, CustomStringConvertible {
    case refused(OutboundURLError)
    case unreachable(String)
    case status(Int)
    case unreadable(String)

    public var description: String {
        switch self {
        case .refused(let why): "refused: \(why)"
        case .unreachable(let why): "unreachable: \(why)"
        case .status(let code): "answered HTTP \(code)"
        case .unreadable(let why): why
        }
    }
}
