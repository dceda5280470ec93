extension SimState {
    /// The configuration keys the simulator understands; PVE refuses keys its schema lacks.
    static let configKeys: Set<String> = [
        "name", "description", "cores", "sockets", "memory", "balloon", "ciuser", "cipassword", "sshkeys", "tags",
        "agent", "onboot", "nameserver", "searchdomain", "boot", "cpu", "vga", "citype", "ciupgrade",
    ]

    /// `GET …/config`: the configuration with its digest, the cloud-init password masked as PVE masks it.
    func config(node: String, vmid: Int) throws(SimAPIError) -> [String: Any] {
        let vm = try vm(vmid, on: node)
        var config: [String: Any] = vm.config
        if config["cipassword"] != nil { config["cipassword"] = "**********" }
        for key in ["cores", "memory", "template"] { if let text = vm.config[key], let n = Int(text) { config[key] = n } }
        config["digest"] = Self.digest(vm.config)
        return config
    }

    /// `POST …/config` or `PUT …/config`: checks every key first, then changes all or nothing.
    mutating func updateConfig(node: String, vmid: Int, _ params: SimParameters) throws(SimAPIError) {
        var vm = try unlocked(vmid, on: node)
        if let digest = params["digest"], digest != Self.digest(vm.config) {
            throw .failure("detected modified configuration - file changed by other user? Try again.")
        }
        for (key, value) in params.values.sorted(by: { $0.key < $1.key }) where !["node", "vmid", "digest", "delete"].contains(key) {
            guard Self.configKeys.contains(key) || Self.isIndexed(key) else {
                throw .parameter(key, "property is not defined in schema and the schema does not allow additional properties")
            }
            switch key {
            case "cores", "sockets", "balloon":
                guard let n = Int(value), n >= (key == "balloon" ? 0 : 1) else {
                    throw .parameter(key, "type check ('integer') failed - got '\(value)'")
                }
            case "memory":
                let amount = value.hasPrefix("current=") ? String(value.dropFirst(8)) : value
                guard let n = Int(amount), n >= 16 else { throw .parameter(key, "value must be at least 16 MiB - got '\(value)'") }
            case "sshkeys":
                let allowed = Set("-%_.!~*'()abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                guard value.removingPercentEncoding != nil, value.allSatisfy(allowed.contains) else {
                    throw .parameter(key, "invalid urlencoded string: \(value.prefix(20))")
                }
            default:
                break
            }
            vm.config[key] = key.hasPrefix("net") ? withMAC(value, forced: false) : value
        }
        for key in params["delete"]?.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }) ?? [] {
            vm.config[String(key)] = nil
        }
        vms[vmid] = vm
    }

    private static func isIndexed(_ key: String) -> Bool {
        for prefix in ["net", "ipconfig"] where key.hasPrefix(prefix) {
            if let index = Int(key.dropFirst(prefix.count)), (0..<32).contains(index) { return true }
        }
        return false
    }

    /// A 40-hex-digit fingerprint of the configuration, standing in for PVE's SHA-1 digest.
    static func digest(_ config: [String: String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (key, value) in config.sorted(by: { $0.key < $1.key }) {
            for byte in "\(key)=\(value)\n".utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: 16 - hex.count) + hex + "000000000000000000000000").prefix(40))
    }
}
