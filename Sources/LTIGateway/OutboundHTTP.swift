import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

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

    /// What a platform's service answered, whatever the status: services word their refusals in the body.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// Sends one request to a platform's service and returns its answer, whatever its status.
    func exchange(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)], body: ByteBuffer?, checkAddresses: Bool
    ) async throws(OutboundCallError) -> Answer {
        let target = try checked(url, checkAddresses: checkAddresses)
        var request = HTTPClientRequest(url: target.url.absoluteString)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        return try await exchange(request, to: target)
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

    private func send<T: Decodable>(_ request: HTTPClientRequest, to target: OutboundURLPolicy.Checked, decoding type: T.Type) async throws(OutboundCallError)
        -> T
    {
        let answer = try await exchange(request, to: target)
        guard (200..<300).contains(answer.status) else { throw .status(answer.status) }
        do {
            return try JSONDecoder().decode(type, from: answer.body)
        } catch {
            throw .unreadable("the answer is not the JSON expected: \(error)")
        }
    }
}

extension OutboundHTTP {
    /// Sends on the shared client, or, for an address that was checked, on a client of its
    /// own that connects to exactly that address (the name still names the TLS server).
    private func exchange(_ request: HTTPClientRequest, to target: OutboundURLPolicy.Checked) async throws(OutboundCallError) -> Answer {
        let pinned = target.address.map { HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.configuration(pinning: target.url.host, to: $0)) }
        do {
            let response = try await (pinned ?? client).execute(request, timeout: Self.timeout)
            let body = try await response.body.collect(upTo: Self.maxBody)
            try? await pinned?.shutdown()
            return Answer(status: Int(response.status.code), headers: response.headers, body: body)
        } catch {
            try? await pinned?.shutdown()
            throw .unreachable(String(describing: error))
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
