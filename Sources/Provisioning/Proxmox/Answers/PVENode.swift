/// A cluster node and its load, from `GET /nodes`.
public struct PVENode: Sendable, Hashable, Decodable {
    public var node: String
    public var online: Bool
    public var cores: Int
    /// CPU utilisation, 0…1.
    public var cpu: Double
    public var memoryBytes: Int
    public var memoryUsedBytes: Int

    enum CodingKeys: String, CodingKey { case node, status, maxcpu, cpu, maxmem, mem }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(String.self, forKey: .node)
        online = try c.decodeIfPresent(String.self, forKey: .status) == "online"
        cores = try c.lenientInt(.maxcpu) ?? 0
        cpu = try c.lenientDouble(.cpu) ?? 0
        memoryBytes = try c.lenientInt(.maxmem) ?? 0
        memoryUsedBytes = try c.lenientInt(.mem) ?? 0
    }

    /// The node as a `cluster/resources` entry of type `node` shows it (the same fields).
    init(_ resource: PVEResource) {
        node = resource.node ?? ""
        online = resource.status == "online"
        cores = resource.maxCPU ?? 0
        cpu = resource.cpu ?? 0
        memoryBytes = resource.maxMemoryBytes ?? 0
        memoryUsedBytes = resource.memoryBytes ?? 0
    }
}
