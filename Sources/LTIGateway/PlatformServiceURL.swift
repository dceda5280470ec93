import Foundation
import LabCore

/// Addresses a platform names for its services (in a launch's claims, in a `Link` header):
/// LabGate calls them only on the platform's own host, so a claim cannot send it elsewhere.
enum PlatformServiceURL {
    /// `url` if it is `https` (or `http` where the platform itself is) on the host of the platform's issuer or token endpoint.
    static func check(_ url: String, of platform: Platform) throws(ServiceError) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased() else {
            throw .badURL("\(url) is not an address")
        }
        let own = [platform.issuer, platform.tokenURL].compactMap { URLComponents(string: $0) }
        guard own.contains(where: { $0.host?.lowercased() == host && ($0.scheme?.lowercased() == scheme || scheme == "https") }) else {
            throw .badURL("\(url) is not on the platform's own host")
        }
        return url
    }

    /// `url` with `pairs` added to its query.
    static func adding(query pairs: [(String, String)], to url: String) throws(ServiceError) -> String {
        guard var components = URLComponents(string: url) else { throw .badURL("\(url) is not an address") }
        components.queryItems = (components.queryItems ?? []) + pairs.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let text = components.string else { throw .badURL("\(url) is not an address") }
        return text
    }
}

/// The `Link` header of a paged answer (RFC 8288).
enum LinkHeader {
    /// The target of `rel="next"`, tolerant of the typographic quotes Moodle writes around `next`.
    static func next(in header: String?) -> String? {
        guard let header else { return nil }
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">") else { continue }
            let isNext = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                return pair.count == 2 && pair[0].lowercased() == "rel"
                    && pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'\u{201C}\u{201D}")).split(separator: " ").contains("next")
            }
            if isNext { return String(target.dropFirst().dropLast()) }
        }
        return nil
    }
}
