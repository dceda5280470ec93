import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// Serves a `SimCluster` as a Proxmox VE API (`/api2/json/…`) over HTTP or HTTPS, plus a
/// control endpoints, `GET|POST /_sim/faults` to inject faults while it runs and
/// `POST /_sim/guest-commands` to say how commands in the guests turn out.
public struct PVESimServer: Sendable {
    public let cluster: SimCluster
    public let requestLog: SimRequestLog?

    public init(cluster: SimCluster, requestLog: SimRequestLog? = nil) {
        self.cluster = cluster
        self.requestLog = requestLog
    }

    /// The application, for `labgate pve-sim` to run; `onBound` learns the port.
    public func application(
        host: String, port: Int, tls: TLSConfiguration? = nil, logger: Logger,
        onBound: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let configuration = ApplicationConfiguration(address: .hostname(host, port: port), serverName: "pve-api-daemon/3.0")
        let onRunning: @Sendable (any Channel) async -> Void = { channel in await onBound(channel.localAddress?.port ?? 0) }
        if let tls {
            return Application(
                router: router(), server: try .tls(.http1(), tlsConfiguration: tls), configuration: configuration,
                onServerRunning: onRunning, logger: logger)
        }
        return Application(router: router(), server: .http1(), configuration: configuration, onServerRunning: onRunning, logger: logger)
    }

    /// Serves on `host` at a free port until `body` returns; `body` gets the base URL.
    public func serving<T: Sendable>(
        host: String = "127.0.0.1", tls: TLSConfiguration? = nil, _ body: @Sendable (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let running = try await start(host: host, tls: tls)
        do {
            let result = try await body(running.baseURL)
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }

    /// Starts serving on `host` at a free port, in the background until `stop()`.
    public func start(host: String = "127.0.0.1", tls: TLSConfiguration? = nil) async throws -> RunningPVESim {
        var logger = Logger(label: "pve-sim")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try application(host: host, port: 0, tls: tls, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            // A server that cannot start ends the stream, so the wait below ends too.
            defer { continuation.finish() }
            try await services.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            task.cancel()
            throw SimConfigurationError(description: "the simulator did not start: \((await task.result).failureDescription)")
        }
        return RunningPVESim(baseURL: "\(tls == nil ? "http" : "https")://\(host):\(port)", services: services, task: task)
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        for method: HTTPRequest.Method in [.get, .post, .put, .delete] {
            router.on("/api2/json/**", method: method) { request, _ in try await answer(request) }
        }
        router.get("/_sim/faults") { _, _ in try Self.json(JSONEncoder().encode(cluster.faults)) }
        router.post("/_sim/faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let faults = try? JSONDecoder().decode(SimFaults.self, from: Data(buffer: body)) else {
                return Self.error(SimAPIError(status: 400, message: "the body is not a JSON fault description"))
            }
            cluster.faults = faults
            return try Self.json(JSONEncoder().encode(faults))
        }
        router.post("/_sim/guest-commands") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let commands = try? JSONDecoder().decode([SimGuestCommand].self, from: Data(buffer: body)) else {
                return Self.error(SimAPIError(status: 400, message: "the body is not a JSON list of guest commands"))
            }
            cluster.guestCommands = commands
            return try Self.json(JSONEncoder().encode(commands))
        }
        return router
    }

    private func answer(_ request: Request) async throws -> Response {
        let segments = request.uri.path.split(separator: "/").dropFirst(2).map { $0.removingPercentEncoding ?? String($0) }
        let query = SimParameters(formEncoded: request.uri.query ?? "")
        var form = SimParameters(formEncoded: "")
        if request.method == .post || request.method == .put {
            form = SimParameters(formEncoded: String(buffer: try await request.body.collect(upTo: 1 << 20)))
        }
        let authorization = request.headers[.authorization]
        requestLog?.record(
            method: request.method.rawValue, path: "/api2/json/" + segments.joined(separator: "/"), query: query.values,
            form: form.lists, authorization: authorization)
        let latency = cluster.faults.extraLatencyMs
        if latency > 0 { try await Task.sleep(for: .milliseconds(latency)) }
        guard let token = cluster.token(authorization: authorization) else { return Self.error(.unauthorized) }
        var params = query
        params.merge(form)
        do {
            let (data, cut) = try cluster.handle(method: request.method.rawValue, path: segments, params: params, token: token)
            if cut { return Self.cutConnection() }
            return try Self.json(JSONSerialization.data(withJSONObject: ["data": data], options: [.fragmentsAllowed]))
        } catch let error as SimAPIError {
            return Self.error(error)
        }
    }

    /// An answer that never completes: the connection is closed after its head, as when a
    /// proxy or the network resets it. The call itself has been carried out.
    static func cutConnection() -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json;charset=UTF-8"],
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: "{\"data\":"))
                throw SimAPIError(status: 500, message: "simulated connection reset")
            })
    }

    static func json(_ data: Data) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json;charset=UTF-8"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// PVE's error answer: the message as the reason phrase and in the body.
    static func error(_ error: SimAPIError) -> Response {
        var body: [String: Any] = ["data": NSNull(), "message": error.message + "\n"]
        if !error.errors.isEmpty { body["errors"] = error.errors }
        let data = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        let reason = String(error.message.map { $0.isNewline ? " " : $0 })
        return Response(
            status: .init(code: error.status, reasonPhrase: reason), headers: [.contentType: "application/json;charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// A simulator serving in the background.
public struct RunningPVESim: Sendable {
    /// `http://127.0.0.1:PORT`, to give a Proxmox client.
    public let baseURL: String
    let services: ServiceGroup
    let task: Task<Void, any Error>

    /// Stops serving and waits until the port is closed.
    public func stop() async {
        await services.triggerGracefulShutdown()
        _ = await task.result
    }
}

extension Result {
    fileprivate var failureDescription: String {
        if case .failure(let error) = self { return "\(error)" }
        return "it stopped"
    }
}
