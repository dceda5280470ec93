/// An error answer in Proxmox's shape: the status, the message PVE puts in the reason
/// phrase and in `message`, and per-parameter `errors` for a failed parameter check.
struct SimAPIError: Error {
    var status: Int
    var message: String
    var errors: [String: String] = [:]

    /// PVE's 500 with its own text, as most failed API calls answer.
    static func failure(_ message: String) -> SimAPIError { SimAPIError(status: 500, message: message) }

    static func parameter(_ name: String, _ problem: String) -> SimAPIError {
        SimAPIError(status: 400, message: "Parameter verification failed.", errors: [name: problem])
    }

    static func missing(_ name: String) -> SimAPIError { .parameter(name, "property is missing and it is not optional") }

    /// What the proxy answers when it cannot reach the node.
    static func unreachable(_ node: String) -> SimAPIError { SimAPIError(status: 595, message: "No route to host") }

    static func permission(_ path: String, _ privilege: String) -> SimAPIError {
        SimAPIError(status: 403, message: "Permission check failed (\(path), \(privilege))")
    }

    static func noConfig(node: String, vmid: Int) -> SimAPIError {
        .failure("Configuration file 'nodes/\(node)/qemu-server/\(vmid).conf' does not exist")
    }

    static let notImplemented = SimAPIError(status: 501, message: "Method not implemented")
    static let unauthorized = SimAPIError(status: 401, message: "authentication failure")
}
