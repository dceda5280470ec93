/// One point of a VM's `rrddata`: averages over its interval; the figures are absent (or NaN
/// in some versions) where the VM did not run.
public struct PVEMetricPoint: Sendable, Hashable, Decodable {
    public var time: Int
    /// The share of the VM's cores in use, 0 to 1.
    public var cpu: Double?
    /// Bytes per second.
    public var netIn: Double?
    public var netOut: Double?

    enum CodingKeys: String, CodingKey { case time, cpu, netin, netout }

    public init(time: Int, cpu: Double?, netIn: Double?, netOut: Double?) {
        self.time = time
        self.cpu = cpu
        self.netIn = netIn
        self.netOut = netOut
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = try c.lenientInt(.time) ?? 0
        func figure(_ key: CodingKeys) -> Double? { (try? c.lenientDouble(key)).flatMap { $0 }.flatMap { $0.isFinite ? $0 : nil } }
        cpu = figure(.cpu)
        netIn = figure(.netin)
        netOut = figure(.netout)
    }

    /// Whether the VM ran through this point's interval.
    public var ran: Bool { cpu != nil }
}
