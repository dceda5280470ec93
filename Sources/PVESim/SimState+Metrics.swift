/// How busy a simulated guest is: the share of its cores in use and its network traffic.
public struct SimGuestLoad: Sendable, Hashable, Codable {
    /// 0 to 1, of all its cores.
    public var cpu: Double
    /// Bytes per second received and sent.
    public var netIn: Double
    public var netOut: Double

    public init(cpu: Double, netIn: Double, netOut: Double) {
        self.cpu = cpu
        self.netIn = netIn
        self.netOut = netOut
    }

    /// A student at work: a desktop drawing, a compiler now and then.
    public static let working = SimGuestLoad(cpu: 0.25, netIn: 40_000, netOut: 120_000)
    /// A desktop nobody touches: the guest's own housekeeping only.
    public static let untouched = SimGuestLoad(cpu: 0.004, netIn: 150, netOut: 90)
}

extension SimState {
    /// `GET …/rrddata`: one point a minute over the `timeframe` (`hour`: 70 points, as PVE
    /// gives), CPU and network where the VM ran, only `time` (and the maxima) where it did not.
    func rrddata(node: String, vmid: Int, _ params: SimParameters, now: Double) throws(SimAPIError) -> [[String: Any]] {
        let vm = try vm(vmid, on: node)
        let timeframe = try params.string("timeframe")
        guard let span = ["hour": 60.0, "day": 1_800, "week": 10_800, "month": 43_200, "year": 604_800][timeframe] else {
            throw .parameter("timeframe", "value '\(timeframe)' does not have a value in the enumeration 'hour, day, week, month, year'")
        }
        if let cf = params["cf"], !["AVERAGE", "MAX"].contains(cf) {
            throw .parameter("cf", "value '\(cf)' does not have a value in the enumeration 'AVERAGE, MAX'")
        }
        let last = (now / span).rounded(.down) * span
        return (0..<70).reversed().map { back in
            let time = last - Double(back) * span
            var point: [String: Any] = ["time": Int(time), "maxcpu": vm.cores, "maxmem": vm.memoryMiB << 20]
            if vm.running, let started = vm.startedAt, time >= started {
                point["cpu"] = vm.load.cpu
                point["netin"] = vm.load.netIn
                point["netout"] = vm.load.netOut
                point["mem"] = vm.memoryMiB << 19
            }
            return point
        }
    }
}
