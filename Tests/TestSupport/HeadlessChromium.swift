import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's Chromium, headless, driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: JSON messages, each ended by a NUL byte, on descriptors 3 and 4),
/// so the tests can click through LabGate's pages as a person would and take screenshots.
public final class HeadlessChromium: Sendable {
    /// Where Debian installs it.
    public static let executable = "/usr/bin/chromium"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    private let process: ChildProcess
    private let commands: Int32
    private let profile: URL
    private let state = NIOLockedValueBox(State())

    private struct State {
        var nextID = 1
        var waiting: [Int: CheckedContinuation<Data, any Error>] = [:]
        var closed: String?
    }

    public init() throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("labgate-chromium-\(UUID().uuidString)")
        var toBrowser: [Int32] = [0, 0]
        var fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw ChildProcessError(message: "cannot make pipes for Chromium") }
        // Close-on-exec, so no other program a test starts holds them open (the child gets its copies by dup2).
        for descriptor in toBrowser + fromBrowser { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        process = try ChildProcess(
            Self.executable,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                // Frames of other sites in the page's own process, so one session reaches into Moodle-style iframes.
                "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process",
                "--remote-debugging-pipe", "--user-data-dir=\(profile.path)", "--window-size=1280,900", "about:blank",
            ], descriptors: [3: toBrowser[0], 4: fromBrowser[1]])
        close(toBrowser[0])
        close(fromBrowser[1])
        commands = toBrowser[1]
        let replies = fromBrowser[0]
        // The replies are read on a thread of its own: a blocking read must not hold a thread of Swift's pool.
        Thread.detachNewThread { [state] in Self.readReplies(from: replies, into: state) }
    }

    private static func readReplies(from descriptor: Int32, into state: NIOLockedValueBox<State>) {
        var pending = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += buffer[0..<count]
            while let end = pending.firstIndex(of: 0) {
                let message = Array(pending[..<end])
                pending.removeSubrange(...end)
                guard let object = try? JSONSerialization.jsonObject(with: Data(message)) as? [String: Any],
                    let id = object["id"] as? Int
                else { continue }  // an event: the tests poll instead
                let continuation = state.withLockedValue { $0.waiting.removeValue(forKey: id) }
                continuation?.resume(returning: Data(message))
            }
        }
        close(descriptor)
        let orphans = state.withLockedValue { state -> [CheckedContinuation<Data, any Error>] in
            state.closed = "Chromium closed its pipe"
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        orphans.forEach { $0.resume(throwing: ChildProcessError(message: "Chromium closed its pipe")) }
    }

    /// Sends one DevTools command (to a page when `session` is given) and returns its result.
    @discardableResult
    public func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil) async throws -> [String: Any] {
        var message: [String: Any] = ["method": method, "params": params]
        if let session { message["sessionId"] = session }
        let reply = try await exchange(message)
        let object = try JSONSerialization.jsonObject(with: reply) as? [String: Any] ?? [:]
        if let error = object["error"] as? [String: Any] {
            throw ChildProcessError(message: "Chromium refused \(method): \(error["message"] ?? "")")
        }
        return object["result"] as? [String: Any] ?? [:]
    }

    /// Writes `message` with a fresh id and waits for the reply with that id.
    private func exchange(_ message: [String: Any]) async throws -> Data {
        var message = message
        return try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLockedValue { state in
                guard state.closed == nil else { return nil }
                defer { state.nextID += 1 }
                state.waiting[state.nextID] = continuation
                return state.nextID
            }
            guard let id else { return continuation.resume(throwing: ChildProcessError(message: "Chromium has stopped")) }
            message["id"] = id
            let bytes = [UInt8]((try? JSONSerialization.data(withJSONObject: message)) ?? Data()) + [0]
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = write(commands, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }
                    offset += written
                }
            }
        }
    }

    /// A new tab.
    public func newPage() async throws -> Page {
        let target = try await send("Target.createTarget", ["url": "about:blank"])
        return try await attach(to: target["targetId"] as? String ?? "")
    }

    /// The tabs and windows open now, with their addresses.
    public func pages() async throws -> [(id: String, url: String)] {
        let targets = try await send("Target.getTargets")["targetInfos"] as? [[String: Any]] ?? []
        return targets.filter { $0["type"] as? String == "page" }.map { ($0["targetId"] as? String ?? "", $0["url"] as? String ?? "") }
    }

    /// A session on an open tab or window.
    public func attach(to targetID: String) async throws -> Page {
        let attached = try await send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        let page = Page(browser: self, session: attached["sessionId"] as? String ?? "")
        try await page.send("Page.enable")
        return page
    }

    /// Stops Chromium and removes its profile.
    public func stop() async {
        _ = try? await send("Browser.close")
        process.signal(SIGKILL)
        _ = await process.exitStatus()
        close(commands)
        try? FileManager.default.removeItem(at: profile)
    }

    /// One tab of the browser.
    public struct Page: Sendable {
        let browser: HeadlessChromium
        let session: String

        @discardableResult
        func send(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
            try await browser.send(method, params, session: session)
        }

        public func navigate(_ url: String) async throws {
            try await send("Page.navigate", ["url": url])
        }

        /// The value of a JavaScript expression in the top frame, or in the first frame whose
        /// address contains `frameURL` (nil when there is no such frame yet).
        public func evaluate(_ expression: String, inFrame frameURL: String? = nil) async throws -> Any? {
            var params: [String: Any] = ["expression": expression, "returnByValue": true]
            if let frameURL {
                guard let frame = try await frames().first(where: { $0.url.contains(frameURL) }) else { return nil }
                let world = try await send("Page.createIsolatedWorld", ["frameId": frame.id])
                params["contextId"] = world["executionContextId"]
            }
            let reply = try await send("Runtime.evaluate", params)
            return (reply["result"] as? [String: Any])?["value"]
        }

        /// The frames of the page, the top one first, with their addresses.
        public func frames() async throws -> [(id: String, url: String)] {
            func walk(_ node: [String: Any]) -> [(id: String, url: String)] {
                let frame = node["frame"] as? [String: Any] ?? [:]
                let own = [(frame["id"] as? String ?? "", frame["url"] as? String ?? "")]
                return own + (node["childFrames"] as? [[String: Any]] ?? []).flatMap(walk)
            }
            return walk(try await send("Page.getFrameTree")["frameTree"] as? [String: Any] ?? [:])
        }

        /// Waits until `expression` is true (in the frame, see `evaluate`); polls every 100 ms for at most `timeout`.
        public func waitUntil(_ expression: String, inFrame frameURL: String? = nil, timeout: Duration = .seconds(60)) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let value = try? await evaluate(expression, inFrame: frameURL), value as? Bool == true { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            let shown = (try? await evaluate("document.body ? document.body.innerText : ''", inFrame: frameURL)) as? String ?? ""
            throw ChildProcessError(message: "waited \(timeout) for \(expression); the page shows: \(shown.prefix(500))")
        }

        /// Clicks the middle of the element `selector` with the mouse, as a person does (popup
        /// blockers let such a click open a window). In a frame, the frame is the page's first `iframe`.
        public func click(_ selector: String, inFrame frameURL: String? = nil) async throws {
            // As a person would, the element is scrolled into sight first (the frame, then the element in it).
            if frameURL != nil {
                _ = try await evaluate("(function(f){if(f){f.scrollIntoView({block:'start'});}return true;})(document.querySelector('iframe'))")
            }
            let rect = "(function(e){e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();return [r.left+r.width/2,r.top+r.height/2];})"
            guard let inner = try await evaluate("\(rect)(document.querySelector(\(Self.quoted(selector))))", inFrame: frameURL) as? [Double] else {
                throw ChildProcessError(message: "no element \(selector) to click")
            }
            var (x, y) = (inner[0], inner[1])
            if frameURL != nil,
                let offset = try await evaluate(
                    "(function(e){var r=e.getBoundingClientRect();return [r.left+e.clientLeft,r.top+e.clientTop];})(document.querySelector('iframe'))")
                    as? [Double]
            {
                x += offset[0]
                y += offset[1]
            }
            for type in ["mousePressed", "mouseReleased"] {
                try await send("Input.dispatchMouseEvent", ["type": type, "x": x, "y": y, "button": "left", "clickCount": 1])
            }
        }

        /// `text` as a JavaScript string literal.
        private static func quoted(_ text: String) -> String {
            String(decoding: (try? JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed)) ?? Data(), as: UTF8.self)
        }

        /// Shows the tab as a phone of this width would (CSS pixels), or as the desktop window again with nil.
        public func emulateWidth(_ width: Int?) async throws {
            if let width {
                try await send("Emulation.setDeviceMetricsOverride", ["width": width, "height": 720, "deviceScaleFactor": 1, "mobile": true])
            } else {
                try await send("Emulation.clearDeviceMetricsOverride")
            }
        }

        /// A PNG of what the tab shows, written to `file`.
        public func screenshot(to file: URL) async throws {
            let reply = try await send("Page.captureScreenshot", ["format": "png"])
            guard let data = Data(base64Encoded: reply["data"] as? String ?? "") else {
                throw ChildProcessError(message: "Chromium sent no screenshot")
            }
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: file)
        }
    }
}
