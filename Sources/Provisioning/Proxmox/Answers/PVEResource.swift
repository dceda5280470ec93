/// One entry of `GET /cluster/resources`: a node, a guest, a storage or a pool.
public struct PVEResource: Sendable, Hashable, Decodable {
    public var id: String
    public var type: String
    public var node: String?
    public var vmid: Int?
    public var name: String?
    public var status: String?
    public var isTemplate: Bool
    public var pool: String?
    /// PVE's `tags`: `;`-separated.
    public var tags: [String]
    public var lock: String?
    public var storage: String?
    public var shared: Bool
    public var maxMemoryBytes: Int?
    public var memoryBytes: Int?
    public var maxCPU: Int?
    public var cpu: Double?

    enum CodingKeys: String, CodingKey {
        case id, type, node, vmid, name, status, template, pool, tags, lock, storage, shared, maxmem, mem, maxcpu, cpu
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        type = try c.decode(String.self, forKey: .type)
        node = try c.decodeIfPresent(String.self, forKey: .node)
        vmid = try c.lenientInt(.vmid)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        status = try c.decodeIfPresent(String.self, forKey: .status)
        isTemplate = try c.lenientBool(.template)
        pool = try c.decodeIfPresent(String.self, forKey: .pool)
        tags = (try c.decodeIfPresent(String.self, forKey: .tags) ?? "").split(whereSeparator: { ";, ".contains($0) }).map(String.init)
        lock = try c.decodeIfPresent(String.self, forKey: .lock)
        storage = try c.decodeIfPresent(String.self, forKey: .storage)
        shared = try c.lenientBool(.shared)
        maxMemoryBytes = try c.lenientInt(.maxmem)
        memoryBytes = try c.lenientInt(.mem)
        maxCPU = try c.lenientInt(.maxcpu)
        cpu = try c.lenientDouble(.cpu)
    }
}
