import Foundation

/// A task of the simulated cluster. Its outcome and end time are fixed when it starts, so
/// the cluster needs no timers: each request first applies the effects of the tasks that
/// have ended by then.
struct SimTask {
    let upid: String
    let node: String
    let type: String
    let id: String
    let user: String
    let pid: Int
    let startTime: Double
    var endTime: Double
    /// `OK`, `WARNINGS: n` or the error text.
    var exitStatus: String
    var log: [String]
    var effect: SimEffect
    var finished = false

    var failed: Bool { exitStatus != "OK" && !exitStatus.hasPrefix("WARNINGS") }

    /// PVE's task id: `UPID:node:pid:pstart:starttime:type:id:user:`, numbers in hex.
    static func upid(node: String, pid: Int, pstart: Int, startTime: Int, type: String, id: String, user: String) -> String {
        func hex(_ n: Int) -> String { String(format: "%08X", n) }
        return "UPID:\(node):\(hex(pid)):\(hex(pstart)):\(hex(startTime)):\(type):\(id):\(user):"
    }
}

/// What a task does to the cluster when it ends.
enum SimEffect {
    case none
    case clone(vmid: Int)
    case start(vmid: Int)
    case stop(vmid: Int)
    case snapshot(vmid: Int, name: String, description: String)
    case rollback(vmid: Int, name: String, thenStart: Bool)
    case deleteSnapshot(vmid: Int, name: String)
    case destroy(vmid: Int)
}
