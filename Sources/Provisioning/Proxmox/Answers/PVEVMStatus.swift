/// A VM's power state, from `GET …/status/current`.
public struct PVEVMStatus: Sendable, Hashable, Decodable {
    public var vmid: Int
    public var running: Bool
    public var lock: String?
    public var uptimeSeconds: Int

    enum CodingKeys: String, CodingKey { case vmid, status, lock, uptime }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vmid = try c.lenientInt(.vmid) ?? 0
        running = try c.decode(String.self, forKey: .status) == "running"
        lock = try c.decodeIfPresent(String.self, forKey: .lock)
        uptimeSeconds = try c.lenientInt(.uptime) ?? 0
    }
}
