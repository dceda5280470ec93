import Hummingbird

extension Request {
    /// The client's network address, for the audit trail: the first hop of X-Forwarded-For
    /// when LabGate runs behind a proxy it trusts, the connection's peer otherwise.
    public func clientAddress(_ context: some RequestContext, trustForwardedFor: Bool) -> String? {
        if trustForwardedFor, let forwarded = headers[values: .init("X-Forwarded-For")!].first {
            let first = forwarded.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if !first.isEmpty, first.count <= 64 { return first }
        }
        return (context as? any RemoteAddressRequestContext)?.remoteAddress?.ipAddress
    }
}
