import Foundation
import HTTPTypes
import Hummingbird

extension Request {
    /// Whether the browser says this request was started by another site: `Sec-Fetch-Site`
    /// other than `same-origin` or `none`, or an `Origin` that is not `publicURL`'s. A browser
    /// that sends neither (an old one, a script) is not refused for it.
    public func isCrossSite(publicURL: String) -> Bool {
        if let site = headers[values: HTTPField.Name("Sec-Fetch-Site")!].first, !["same-origin", "none"].contains(site.lowercased()) {
            return true
        }
        guard let origin = headers[values: HTTPField.Name("Origin")!].first else { return false }
        return origin.lowercased() != Self.origin(of: publicURL)
    }

    /// `scheme://host[:port]` of a URL, lowercased, without a default port.
    public static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased()
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(host)" + (components.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")
    }
}
