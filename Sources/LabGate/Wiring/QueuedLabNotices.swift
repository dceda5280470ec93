import Foundation
import LTIGateway
import LabCore
import Logging

/// Queues "your lab is ready" for a student who waited longer than `after` (a shorter wait
/// was watched on the lab's page), and "your lab is unused" for one about to lose it: a
/// worker then sends them through Moodle (`StudentMessages`).
struct QueuedLabNotices: LabNotices {
    let queue: any JobQueue
    let after: Duration
    let logger: Logger

    func labReady(_ instance: LabInstance, waited: TimeInterval) async {
        guard waited >= after.timeInterval, instance.courseID != nil else { return }
        do {
            try await queue.enqueue(Job(kind: StudentMessages.readyJobKind, payload: instance.id.rawValue))
        } catch {
            logger.warning("could not queue the lab-ready message", metadata: ["instance": .string(instance.id.rawValue), "error": .string("\(error)")])
        }
    }

    func labUnused(_ instance: LabInstance, pausesAt: Date) async {
        guard instance.courseID != nil else { return }
        do {
            try await queue.enqueue(Job(kind: StudentMessages.unusedJobKind, payload: StudentMessages.unusedPayload(instance.id, pausesAt: pausesAt)))
        } catch {
            logger.warning("could not queue the lab-unused message", metadata: ["instance": .string(instance.id.rawValue), "error": .string("\(error)")])
        }
    }
}
