extension ProxmoxClient {
    /// The PVE version; a cheap call that proves the URL, the token and the certificate.
    public func version() async throws(ProxmoxError) -> String {
        struct Version: Decodable, Sendable { var version: String }
        return try await call(.GET, "/version", idempotent: true, as: Version.self).version
    }

    /// Every node with its load.
    public func nodes() async throws(ProxmoxError) -> [PVENode] {
        try await call(.GET, "/nodes", idempotent: true)
    }

    /// `cluster/resources`, optionally of one type: `vm`, `node`, `storage` or `pool`.
    public func resources(type: String? = nil) async throws(ProxmoxError) -> [PVEResource] {
        var params = ProxmoxParameters()
        params.set("type", type)
        return try await call(.GET, "/cluster/resources", params, idempotent: true)
    }

    /// The guest with this VMID, wherever it is, or `nil`.
    public func guest(vmid: Int) async throws(ProxmoxError) -> PVEResource? {
        try await resources(type: "vm").first { $0.vmid == vmid }
    }

    public func pools() async throws(ProxmoxError) -> [PVEPool] {
        try await call(.GET, "/pools", idempotent: true)
    }

    /// Creates the pool unless it exists.
    public func ensurePool(_ id: String, comment: String) async throws(ProxmoxError) {
        if try await pools().contains(where: { $0.poolid == id }) { return }
        var params = ProxmoxParameters()
        params.set("poolid", id)
        params.set("comment", comment)
        do {
            _ = try await call(.POST, "/pools", params, idempotent: false, as: PVENothing?.self)
        } catch .api(_, let message) where message.contains("already exists") {
            return
        }
    }

    static func node(_ node: String) -> String { "/nodes/" + ProxmoxParameters.percentEncoded(node) }
    static func qemu(_ node: String, _ vmid: Int) -> String { Self.node(node) + "/qemu/\(vmid)" }
}
