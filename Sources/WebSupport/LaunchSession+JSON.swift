import Foundation
import LabCore
import WebEncoding

/// The sealed cookie's JSON, written and read by hand: every launch seals one and every page
/// opens one, and Foundation's coders took more CPU than the cryptography. The members and
/// their spelling are those `Codable` wrote (dates in seconds since 1970), so a cookie sealed
/// by an older or newer LabGate behind the same proxy still opens.
extension LaunchSession {
    var json: [UInt8] {
        var writer = JSONObjectWriter()
        writer.add("id", id)
        writer.add("generation", generation)
        writer.add("userID", userID.rawValue)
        writer.add("platformID", platformID.rawValue)
        writer.add("courseID", courseID?.rawValue)
        writer.add("activityID", activityID?.rawValue)
        writer.add("role", role.rawValue)
        writer.add("expiresAt", expiresAt.timeIntervalSince1970)
        if let startedAt { writer.add("startedAt", startedAt.timeIntervalSince1970) }
        return writer.utf8
    }

    /// The session `json` wrote; nil for anything else.
    init?(json: Data) {
        guard let members = (try? ParsedJSON.parse(json))?.object,
            let id = members["id"]?.string, let generation = members["generation"]?.number.flatMap({ Int64(exactly: $0) }),
            let userID = members["userID"]?.string, let platformID = members["platformID"]?.string,
            let role = members["role"]?.string.flatMap(LaunchRole.init(rawValue:)), let expiresAt = members["expiresAt"]?.number,
            let courseID = members["courseID"].optional(\.string), let activityID = members["activityID"].optional(\.string),
            let startedAt = members["startedAt"].optional(\.number)
        else { return nil }
        self.init(
            userID: UserID(userID), platformID: PlatformID(platformID), courseID: courseID.map(CourseID.init),
            activityID: activityID.map(ActivityID.init), role: role, expiresAt: Date(timeIntervalSince1970: expiresAt),
            startedAt: startedAt.map(Date.init(timeIntervalSince1970:)))
        self.id = id
        self.generation = generation
    }
}
