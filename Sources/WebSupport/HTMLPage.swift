import Hummingbird
import WebEncoding

/// A small server-rendered page that works inside Moodle's iframe and in its own window.
public struct HTMLPage: Sendable {
    public var title: String
    /// Already-escaped HTML for the body.
    public var body: String
    public var status: HTTPResponse.Status
    /// Where the browser goes by itself after some seconds (a `<meta>` refresh: no script
    /// needed, so it works under any Content-Security-Policy): a path of LabGate's own, or
    /// nil to load the same address again.
    public var refresh: (seconds: Int, path: String?)?

    public init(title: String, body: String, status: HTTPResponse.Status = .ok) {
        self.title = title
        self.body = body
        self.status = status
    }

    /// `text` safe to put in HTML text and attribute values.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A form that posts itself as soon as the page loads (with a button for browsers without scripts).
    public static func autoPost(title: String, action: BrowserURL, fields: [(String, String)]) -> HTMLPage {
        let inputs = fields.map { #"<input type="hidden" name="\#(escape($0.0))" value="\#(escape($0.1))">"# }.joined()
        return HTMLPage(
            title: title,
            body: """
                <form id="autopost" method="post" action="\(escape(action.text))">\(inputs)<p>\(escape(title))…</p>\
                <noscript><button type="submit">Continue</button></noscript></form>
                <script>document.getElementById("autopost").submit();</script>
                """)
    }

    public func response(headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title)) · LabGate</title>\(refresh.map { #"<meta http-equiv="refresh" content="\#($0.seconds)\#($0.path.map { ";url=" + Self.escape($0) } ?? "")">"# } ?? "")
            <style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1d2125}
            h1{font-size:1.4rem}.note{color:#555}button{font-size:1rem;padding:.4rem 1rem}label{display:block;margin:.3rem 0}
            [hidden]{display:none!important}form{display:inline-block;margin:.5rem .5rem .5rem 0}progress{width:100%;height:1rem}
            ol.steps li.done{color:#2e7d32}ol.steps li.done::after{content:" ✓"}ol.steps li.current{font-weight:600}
            table{border-collapse:collapse}th,td{text-align:left;padding:.2rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}</style>
            </head><body><main>
            \(body)
            </main></body></html>
            """
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
