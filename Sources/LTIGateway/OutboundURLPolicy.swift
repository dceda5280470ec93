import Foundation
import WebSupport

/// Which addresses LabGate itself may call (key sets, registration), so a URL from a
/// platform or a registration link cannot make it fetch from where it should not (SSRF).
public struct OutboundURLPolicy: Sendable {
    /// `http://` is allowed for loopback hosts.
    public var allowInsecureLoopback: Bool
    /// Hosts that resolve to loopback, private, link-local or unspecified addresses are allowed.
    public var allowPrivateAddresses: Bool

    public init(allowInsecureLoopback: Bool, allowPrivateAddresses: Bool) {
        self.allowInsecureLoopback = allowInsecureLoopback
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// A URL LabGate may call, with the address it was checked at.
    public struct Checked: Sendable {
        public var url: URL
        /// The address to connect to, so that a second resolution of the name (DNS
        /// rebinding) cannot lead the connection somewhere the check did not see; nil: resolve freely.
        public var address: String?
    }

    /// The URL if LabGate may call it; otherwise an error that says why not.
    /// - Parameter checkAddresses: resolve the host and refuse special-purpose addresses (for
    ///   URLs that come from outside, unlike a key set URL an administrator registered).
    public func check(_ text: String, checkAddresses: Bool) throws(OutboundURLError) -> Checked {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw .invalid(text)
        }
        let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        // Resolving blocks a thread briefly; it happens only for rare calls (a key set
        // fetch, a registration), and only when the answer matters.
        let needsAddresses = scheme == "http" || (checkAddresses && !allowPrivateAddresses)
        let addresses = needsAddresses ? Self.resolve(bareHost) : []
        switch scheme {
        case "https":
            break
        case "http" where allowInsecureLoopback && !addresses.isEmpty && addresses.allSatisfy(\.isLoopback):
            break
        default:
            throw .insecure(text)
        }
        if checkAddresses && !allowPrivateAddresses {
            guard !addresses.isEmpty else { throw .unresolvable(bareHost) }
            if let blocked = addresses.first(where: \.isPrivate) { throw .privateAddress(host: bareHost, address: blocked.text) }
        }
        return Checked(url: url, address: checkAddresses ? addresses.first?.text : nil)
    }

    /// The addresses a host name resolves to (a literal address resolves to itself).
    static func resolve(_ host: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var result: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = IPAddress(info.pointee.ai_addr) { result.append(address) }
            cursor = info.pointee.ai_next
        }
        return result
    }
}

/// Why an outbound URL was refused.
public enum OutboundURLError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    case insecure(String)
    case unresolvable(String)
    case privateAddress(host: String, address: String)

    public var description: String {
        switch self {
        case .invalid(let url): "\(url) is not an absolute URL"
        case .insecure(let url): "\(url) does not use https"
        case .unresolvable(let host): "the host \(host) cannot be resolved"
        case .privateAddress(let host, let address): "\(host) resolves to the special-purpose address \(address) (private, loopback, reserved or documentation)"
        }
    }
}
