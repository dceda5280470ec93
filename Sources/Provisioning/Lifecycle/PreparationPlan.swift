import Foundation
import LabCore

/// When a prepared class's labs are cloned and powered on, so that each is online at the
/// class's start and none runs long before: from the cluster's clone limits and the clone and
/// boot durations LabGate measured on it (the medians of its latest labs).
public struct PreparationPlan: Sendable, Hashable {
    /// One clone's duration (the `cloning` state, from the task's start to its end).
    public var cloneSeconds: TimeInterval
    /// From powering on to a published desktop (`starting` and `waiting-for-address`).
    public var bootSeconds: TimeInterval
    /// How many of a class's clones run at once: every node's clone slots but one, which live launches keep.
    public var parallelClones: Int
    /// How late after its moment the preparer may act: the time between its passes (`ClassPreparer.tick`).
    public var passSeconds: TimeInterval
    /// How many of a class's labs boot at once: a worker's jobs at once (`worker.concurrency`,
    /// each held through a boot) but an eighth, which live launches keep. More labs power on in
    /// waves, the first ones earlier.
    public var bootsAtOnce: Int

    public init(cloneSeconds: TimeInterval, bootSeconds: TimeInterval, parallelClones: Int, passSeconds: TimeInterval = 0, workerJobs: Int = 64) {
        self.passSeconds = passSeconds
        self.bootsAtOnce = max(1, workerJobs - max(1, workerJobs / 8))
        self.cloneSeconds = cloneSeconds
        self.bootSeconds = bootSeconds
        self.parallelClones = max(1, parallelClones)
    }

    /// What is assumed before LabGate has measured anything on the cluster: slow, so early.
    static let unmeasured = (clone: 60.0, boot: 90.0)
    /// How many recent labs the medians are taken over.
    static let sample = 50

    /// When `count` labs power on: a boot and a quarter before the start, plus half a minute
    /// and a pass, and a boot and a quarter more for each further wave.
    public func powerOn(of count: Int, for session: ClassSession) -> Date {
        let waves = Double((count + bootsAtOnce - 1) / bootsAtOnce)
        return session.startsAt.addingTimeInterval(-(bootSeconds * 1.25 * max(1, waves) + 30 + passSeconds))
    }

    /// When cloning `count` labs must begin to be done a minute before they power on: each
    /// round of clones a quarter slower than measured, and a pass late.
    public func cloneStart(of count: Int, for session: ClassSession) -> Date {
        let rounds = (count + parallelClones - 1) / parallelClones
        return powerOn(of: count, for: session).addingTimeInterval(-(Double(rounds) * (cloneSeconds * 1.25 + passSeconds) + 60))
    }

    /// When `remaining` labs still to clone at `now` would be online, for the course page's "on time".
    public func expectedReady(remaining: Int, of count: Int, at now: Date, for session: ClassSession) -> Date {
        let rounds = Double((remaining + parallelClones - 1) / parallelClones)
        let cloned = now.addingTimeInterval(rounds * (cloneSeconds + passSeconds))
        let waves = Double((count + bootsAtOnce - 1) / bootsAtOnce)
        return max(cloned, powerOn(of: count, for: session)).addingTimeInterval(bootSeconds * max(1, waves))
    }
}

extension LabLifecycle {
    /// The plan as measured now, for a cluster of `nodes` nodes.
    public func preparationPlan(nodes: Int = 1) async throws -> PreparationPlan {
        func median(_ values: [TimeInterval]) -> TimeInterval? {
            values.isEmpty ? nil : values.sorted()[values.count / 2]
        }
        let clone = median(try await instances.recentDurations(ofStep: LabInstanceState.cloning.rawValue, limit: PreparationPlan.sample))
        let start = median(try await instances.recentDurations(ofStep: LabInstanceState.starting.rawValue, limit: PreparationPlan.sample))
        let address = median(try await instances.recentDurations(ofStep: LabInstanceState.waitingForAddress.rawValue, limit: PreparationPlan.sample))
        let boot = start.map { $0 + (address ?? 0) }
        return PreparationPlan(
            cloneSeconds: clone ?? PreparationPlan.unmeasured.clone, bootSeconds: boot ?? PreparationPlan.unmeasured.boot,
            parallelClones: nodes * max(1, settings.maxClonesPerNode - 1), passSeconds: ClassPreparer.tick.seconds,
            workerJobs: settings.workerJobs)
    }
}
