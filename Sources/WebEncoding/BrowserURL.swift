import Foundation

/// A URL LabGate may send a browser to (a form's action, a link, a redirect): absolute
/// `https`, or `http` to a loopback host when insecure loopback is allowed, and nothing else.
///
/// It reads the text the way a browser would before it decides (leading and trailing
/// blanks and control characters dropped, tabs and line breaks removed, the scheme in any
/// case), so ` JavaScript:…` or `java\tscript:…` cannot slip past as something else.
public struct BrowserURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as the browser will read it.
    public let text: String

    public var description: String { text }

    /// Checks `raw`; throws what is wrong with it in words.
    public init(_ raw: String, allowInsecureLoopback: Bool) throws(BrowserURLError) {
        let cleaned = Self.browserForm(raw)
        guard let components = URLComponents(string: cleaned), let scheme = components.scheme?.lowercased() else {
            throw .notAbsolute
        }
        guard scheme == "https" || scheme == "http" else { throw .scheme(scheme) }
        guard let host = components.host, !host.isEmpty, cleaned.dropFirst(scheme.count).hasPrefix("://") else {
            throw .notAbsolute
        }
        guard components.user == nil, components.password == nil else { throw .userInfo }
        if scheme == "http" {
            guard allowInsecureLoopback, Self.isLoopback(host: host) else { throw .insecure }
        }
        text = cleaned
    }

    /// What a browser does to a URL before parsing it (WHATWG URL, "basic URL parser"):
    /// strip leading and trailing C0 controls and spaces, remove every tab and newline.
    static func browserForm(_ raw: String) -> String {
        // Every login checks a long redirect URL, nearly always with nothing to strip: a UTF-8
        // byte at or below 0x20 is always such a character, never part of a longer one.
        guard raw.utf8.contains(where: { $0 <= 0x20 }) else { return raw }
        let isC0OrSpace: (Unicode.Scalar) -> Bool = { $0.value <= 0x20 }
        var scalars = Substring(raw).unicodeScalars[...]
        while let first = scalars.first, isC0OrSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isC0OrSpace(last) { scalars.removeLast() }
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" })
        return String(result)
    }

    /// `localhost`, a name under `.localhost`, `127.x.y.z` or `[::1]` (no name is resolved:
    /// the browser resolves, not LabGate).
    static func isLoopback(host: String) -> Bool {
        var name = Substring(host.lowercased())
        if name.hasPrefix("["), name.hasSuffix("]") { name = name.dropFirst().dropLast() }
        if name == "localhost" || name.hasSuffix(".localhost") || name == "::1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

/// Why a URL is not one LabGate sends a browser to.
public enum BrowserURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAbsolute
    case scheme(String)
    case insecure
    case userInfo

    public var description: String {
        switch self {
        case .notAbsolute: "it is not an absolute https:// URL"
        case .scheme(let scheme): "its scheme is \(scheme):, and only https: is allowed"
        case .insecure: "it uses http:, and only https: is allowed (http: only to this machine, when insecure loopback is switched on)"
        case .userInfo: "it carries a user name or password"
        }
    }
}
