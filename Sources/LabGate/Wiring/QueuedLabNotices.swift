import Foundation
import LTIGateway
import LabCore
import Logging

/// Queues "your lab is ready" for a student who waited longer than `after` (a worker then
/// sends it through Moodle, `StudentMessages`); a shorter wait was watched on the lab's page.
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
}
