import Foundation
import NIOConcurrencyHelpers

/// Appends every API request the simulator receives to a file as JSON lines, in the form
/// `../shared/tools/pve_contract_check.py` reads, so a whole test run can be checked
/// against Proxmox's published schema. The token secret and guest passwords are replaced
/// before they are written.
public final class SimRequestLog: Sendable {
    private let descriptor: Int32
    private let lock = NIOLock()

    /// Opens `path` for appending; several simulators may share one file.
    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SimConfigurationError(description: "cannot open request log \(path): errno \(errno)") }
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Writes one request; a form field sent more than once is written as a list, as PVE reads it.
    func record(method: String, path: String, query: [String: String], form: [String: [String]], authorization: String?) {
        var entry: [String: Any] = ["method": method, "path": path]
        if !query.isEmpty { entry["query"] = query }
        if !form.isEmpty {
            let fields: [String: Any] = form.mapValues { $0.count == 1 ? $0[0] as Any : $0 as Any }
            entry["form"] = fields.merging(Self.secretFields(of: form)) { $1 }
        }
        if let authorization { entry["headers"] = ["Authorization": Self.redacted(authorization)] }
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        lock.withLock {
            _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
    }

    /// The form fields that carry passwords, with a placeholder as their value.
    static func secretFields(of form: [String: [String]]) -> [String: String] {
        form.filter { $0.key == "cipassword" || $0.key == "password" }.mapValues { _ in "redacted" }
    }

    /// `PVEAPIToken=USER@REALM!NAME=SECRET` with the secret replaced; the shape stays checkable.
    static func redacted(_ authorization: String) -> String {
        guard let bang = authorization.firstIndex(of: "!"),
            let equals = authorization[bang...].firstIndex(of: "=")
        else { return "(not a PVE API token)" }
        return authorization[...equals] + "redacted"
    }
}
