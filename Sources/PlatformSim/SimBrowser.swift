import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import WebEncoding

/// A browser as far as an LTI launch needs one: it keeps cookies, follows redirects by
/// hand and submits the auto-posting forms of the platform and the tool.
public final class SimBrowser: Sendable {
    /// What a request answered.
    public struct Page: Sendable {
        /// The address that answered.
        public var url: String
        public var status: Int
        public var headers: [(String, String)]
        public var body: String

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public func headers(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }

        /// Where a `<meta http-equiv="refresh">` sends the browser, and after how many seconds,
        /// its address resolved against the page's.
        public var refresh: (seconds: Int, url: String)? {
            guard let tag = body.range(of: #"<meta http-equiv="refresh" content="(\d+);url=([^"]*)">"#, options: .regularExpression)
            else { return nil }
            let content = body[tag].split(separator: "\"")[3]
            guard let semicolon = content.firstIndex(of: ";"), let seconds = Int(content[..<semicolon]) else { return nil }
            let target = String(content[content.index(semicolon, offsetBy: 5)...]).replacingOccurrences(of: "&amp;", with: "&")
            return (seconds, URL(string: target, relativeTo: URL(string: url))?.absoluteString ?? target)
        }

        /// The first form of the page, its action resolved against the page's address.
        public var form: HTMLForm? {
            guard var form = HTMLForm.first(in: body) else { return nil }
            form.action = URL(string: form.action, relativeTo: URL(string: url))?.absoluteString ?? form.action
            return form
        }
    }

    private let client: HTTPClient
    private let ownsClient: Bool
    private let cookies = NIOLockedValueBox<[String: String]>([:])

    /// - Parameter client: share one client among many browsers (the benchmark); by default each has its own.
    public init(client: HTTPClient? = nil) {
        self.client = client ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        self.ownsClient = client == nil
    }

    public func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    /// The cookies the browser holds, by name.
    public var cookieJar: [String: String] {
        get { cookies.withLockedValue { $0 } }
        set { cookies.withLockedValue { $0 = newValue } }
    }

    /// Starts a launch at the tool's login URL the way Moodle does (a form post) and follows
    /// it to the end: the platform's authentication endpoint, then the id_token posted to the tool.
    /// - Parameter direct: ask the in-process platform for its answer instead of over HTTP
    ///   (the benchmark, which measures LabGate rather than the platform).
    public func launch(_ scenario: LaunchScenario, platform: PlatformSim, toolURL: String, direct: Bool = false) async throws -> Page {
        let login = try await startLogin(scenario, platform: platform, toolURL: toolURL)
        guard login.status == 302, let location = login.header("location") else {
            throw PlatformSimError.unexpectedResponse("login answered \(login.status): \(login.body.prefix(300))")
        }
        guard direct else { return try await finishLogin(at: location) }
        return try await submit(try platform.authorize(redirectedTo: location))
    }

    /// Posts the login initiation and returns the tool's answer (a redirect when all is well).
    public func startLogin(_ scenario: LaunchScenario, platform: PlatformSim, toolURL: String) async throws -> Page {
        try await submit(platform.loginInitiation(scenario, toolURL: toolURL))
    }

    /// Follows the redirect to the platform and submits the form it answers to the tool.
    public func finishLogin(at location: String) async throws -> Page {
        let authentication = try await get(location)
        guard authentication.status == 200, let form = authentication.form else {
            throw PlatformSimError.unexpectedResponse("the platform answered \(authentication.status): \(authentication.body.prefix(300))")
        }
        return try await submit(form)
    }

    /// Submits a form's hidden fields, as its auto-post script would.
    public func submit(_ form: HTMLForm, adding extra: [(String, String)] = []) async throws -> Page {
        try await post(form.action, fields: form.fields + extra)
    }

    /// Gets a page; `headers` are what a browser adds of its own (`Sec-Fetch-Site`).
    public func get(_ url: String, headers: [(String, String)] = []) async throws -> Page {
        var request = HTTPClientRequest(url: url)
        for (name, value) in Self.navigation(headers) { request.headers.add(name: name, value: value) }
        return try await send(request)
    }

    /// What a browser sends when it loads a page: it asks for HTML, unless the caller says otherwise.
    static func navigation(_ headers: [(String, String)]) -> [(String, String)] {
        headers.contains { $0.0.lowercased() == "accept" } ? headers : [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")] + headers
    }

    /// Posts a form; `headers` are what a browser adds of its own (`Origin`, `Sec-Fetch-Site`).
    public func post(_ url: String, fields: [(String, String)], headers: [(String, String)] = []) async throws -> Page {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in Self.navigation(headers) { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormURLEncoding.encode(fields)))
        return try await send(request)
    }

    /// One server-sent event.
    public struct ServerSentEvent: Sendable, Equatable {
        public var event: String
        public var data: String

        /// The event of one block of the stream; nil for a comment or a block without data.
        init?(_ block: Substring) {
            var event = "message"
            var data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            guard !data.isEmpty else { return nil }
            self.event = event
            self.data = data.joined(separator: "\n")
        }
    }

    /// Listens to the event stream at `url` as an `EventSource` does, handing each event to
    /// `onEvent` as it arrives, and returns them all once the server ends the stream (or `timeout` passes).
    @discardableResult
    public func events(
        _ url: String, timeout: Duration = .seconds(60), onEvent: (ServerSentEvent) -> Void = { _ in }
    ) async throws -> [ServerSentEvent] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "text/event-stream")
        let response = try await client.execute(withCookies(request), timeout: .seconds(timeout.components.seconds))
        guard response.status == .ok else {
            throw PlatformSimError.unexpectedResponse("the event stream answered \(response.status.code)")
        }
        var pending = ""
        var events: [ServerSentEvent] = []
        for try await buffer in response.body {
            pending += String(buffer: buffer)
            while let end = pending.range(of: "\n\n") {
                let block = pending[..<end.lowerBound]
                pending = String(pending[end.upperBound...])
                if let event = ServerSentEvent(block) {
                    events.append(event)
                    onEvent(event)
                }
            }
        }
        return events
    }

    private func withCookies(_ request: HTTPClientRequest) -> HTTPClientRequest {
        var request = request
        let jar = cookieJar
        if !jar.isEmpty {
            request.headers.add(name: "Cookie", value: jar.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        return request
    }

    private func send(_ request: HTTPClientRequest) async throws -> Page {
        let start = ContinuousClock.now
        let response: HTTPClientResponse
        do {
            response = try await client.execute(withCookies(request), timeout: .seconds(30))
        } catch {
            // Which request, and after how long: AsyncHTTPClient's errors name neither.
            throw PlatformSimError.unexpectedResponse(
                "\(request.method.rawValue) \(request.url.split(separator: "?")[0]) failed after \(ContinuousClock.now - start): \(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        let headers = response.headers.map { ($0.name, $0.value) }
        remember(headers.filter { $0.0.lowercased() == "set-cookie" }.map(\.1))
        return Page(url: request.url, status: Int(response.status.code), headers: headers, body: String(buffer: body))
    }

    private func remember(_ setCookies: [String]) {
        guard !setCookies.isEmpty else { return }
        cookies.withLockedValue { jar in
            for line in setCookies {
                let attributes = line.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
                guard let pair = attributes.first, let equals = pair.firstIndex(of: "=") else { continue }
                let name = String(pair[..<equals])
                if attributes.contains("Max-Age=0") {
                    jar[name] = nil
                } else {
                    jar[name] = String(pair[pair.index(after: equals)...])
                }
            }
        }
    }
}
