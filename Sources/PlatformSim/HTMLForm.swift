import Foundation

/// A form in a page: where it posts and its hidden fields. The test browser reads the
/// auto-posting forms of LabGate and of the platform with it, as a browser's script would submit them.
public struct HTMLForm: Sendable {
    public var action: String
    public var fields: [(String, String)]

    public init(action: String, fields: [(String, String)]) {
        self.action = action
        self.fields = fields
    }

    /// The value of the first field with this name.
    public subscript(name: String) -> String? {
        fields.first { $0.0 == name }?.1
    }

    /// The first form in `html` with its hidden inputs; nil if there is none.
    public static func first(in html: String) -> HTMLForm? {
        guard let formTag = html.range(of: #"<form[^>]*>"#, options: .regularExpression) else { return nil }
        guard let action = attribute("action", in: String(html[formTag])) else { return nil }
        let rest = html[formTag.upperBound...]
        let end = rest.range(of: "</form>")?.lowerBound ?? rest.endIndex
        var fields: [(String, String)] = []
        var cursor = rest[..<end]
        while let input = cursor.range(of: #"<input[^>]*>"#, options: .regularExpression) {
            let tag = String(cursor[input])
            if attribute("type", in: tag) == "hidden", let name = attribute("name", in: tag) {
                fields.append((name, attribute("value", in: tag) ?? ""))
            }
            cursor = cursor[input.upperBound...]
        }
        return HTMLForm(action: action, fields: fields)
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: #"\b\#(name)="[^"]*""#, options: .regularExpression) else { return nil }
        return unescape(String(tag[range].dropFirst(name.count + 2).dropLast()))
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A page whose form posts itself, as platforms answer an authentication request.
    static func autoPosting(action: String, fields: [(String, String)]) -> String {
        let inputs = fields.map { #"<input type="hidden" name="\#(escape($0.0))" value="\#(escape($0.1))">"# }.joined()
        return """
            <!doctype html><html><body><form method="post" action="\(escape(action))">\(inputs)</form>
            <script>document.forms[0].submit();</script></body></html>
            """
    }
}
