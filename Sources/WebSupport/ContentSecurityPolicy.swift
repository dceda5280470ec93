import Foundation

/// The `Content-Security-Policy` of every page: scripts and styles only from LabGate's own
/// files (no inline script, no `on…=` handler), and framing only by the learning platforms
/// LabGate is registered with, so Moodle can embed a lab and no other site can.
public enum ContentSecurityPolicy {
    /// The policy, with `frameAncestors` (origins such as `https://moodle.example.edu`) allowed to frame the page.
    public static func header(frameAncestors: [String]) -> String {
        let ancestors = (["'self'"] + frameAncestors.filter(isOrigin)).joined(separator: " ")
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "base-uri 'none'; frame-ancestors \(ancestors)"
    }

    /// The origin (`scheme://host[:port]`) of an `http` or `https` URL, or nil.
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
            var host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let origin = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        return isOrigin(origin) ? origin : nil
    }

    /// An origin as a CSP source: a scheme, `://` and a host with an optional port, and no
    /// character that could end the directive or start another.
    static func isOrigin(_ text: String) -> Bool {
        guard text.hasPrefix("https://") || text.hasPrefix("http://") else { return false }
        let host = text.drop(while: { $0 != ":" }).dropFirst(3)
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) }
    }
}
