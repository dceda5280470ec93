import Foundation
import Hummingbird
import LTIGateway
import LabCore

extension CourseController {
    /// `POST /courses/<id>/roster` (Sync roster): reads the course's members from the platform now.
    func syncRoster(_ access: Access) async throws -> Response {
        switch try await lti.rosters.sync(access.course.id) {
        case .read(let members, let joined, let left):
            await audit.record(event(access, "course.roster", "course/\(access.course.id)", detail: "\(members) enrolled, \(joined) new, \(left) left"))
            return try await done(access, "The roster is read: \(members) enrolled, \(joined) new, \(left) left since the last reading.")
        case .failed(let why):
            await audit.record(event(access, "course.roster", "course/\(access.course.id)", outcome: .failed, detail: why))
            return try await done(access, "The roster could not be read: \(why). The course page shows the one read before.")
        }
    }
}
