import Foundation
import LabCore

/// LabGate's clock in a simulation: time runs `scale` times faster than the real one from
/// the moment it is made, as PVESim's does, so that plans, idle pauses and a class's end
/// follow the simulated cluster.
struct ScaledClock: WallClock {
    let origin = Date()
    let scale: Double

    func now() -> Date {
        origin.addingTimeInterval(Date().timeIntervalSince(origin) * scale)
    }
}
