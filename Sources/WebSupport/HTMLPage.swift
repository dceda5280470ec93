import Hummingbird
import WebEncoding

/// A small server-rendered page that works inside Moodle's iframe and in its own window:
/// a body rendered from a module's template, set in WebSupport's `page` template with the
/// stylesheet and the page's scripts.
public struct HTMLPage: Sendable {
    public var title: String
    /// The body's HTML, rendered from a template (which escaped every value).
    public var body: String
    public var status: HTTPResponse.Status
    /// Where the browser goes by itself after some seconds (a `<meta>` refresh: no script
    /// needed): a path of LabGate's own, or nil to load the same address again.
    public var refresh: (seconds: Int, path: String?)?
    /// The page's scripts, by their names in `StaticAssets`.
    public var scripts: [String]
    /// Origins allowed to frame this page instead of the registered platforms' (a
    /// registration's answer, framed by the platform registering).
    public var frameAncestors: [String]?

    public init(title: String, body: String, status: HTTPResponse.Status = .ok, scripts: [String] = []) {
        self.title = title
        self.body = body
        self.status = status
        self.scripts = scripts
    }

    /// A form that posts itself as soon as the page loads (with a button for browsers without scripts).
    public static func autoPost(title: String, action: BrowserURL, fields: [(String, String)]) -> HTMLPage {
        let context: [String: Any] = [
            "title": title, "action": action.text, "fields": fields.map { ["name": $0.0, "value": $0.1] },
        ]
        return HTMLPage(title: title, body: webTemplates.render("auto-post", context), scripts: ["auto-post.js"])
    }

    public func response(headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        if let frameAncestors { headers[.contentSecurityPolicy] = ContentSecurityPolicy.header(frameAncestors: frameAncestors) }
        var context: [String: Any] = [
            "title": title, "body": body, "stylesheet": StaticAssets.bundled.url("labgate.css"),
            "scripts": scripts.map(StaticAssets.bundled.url),
        ]
        if let refresh {
            context["refresh"] = ["seconds": refresh.seconds, "path": refresh.path.map { ";url=" + $0 } ?? ""]
        }
        let html = webTemplates.render("page", context)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
