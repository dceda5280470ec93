import Foundation
import LabCore

/// Launch snapshots in MariaDB or SQLite: the user with their course, role, activity,
/// environment and live instance, joined in one query.
struct SQLLaunchSnapshotRepository: LaunchSnapshotRepository {
    let database: any SQLDatabase
    /// Reads the live instance's columns as the instance repository does.
    let instances: SQLLabInstanceRepository

    /// The lab instance's columns as `li_<name>`, read back with `SQLRow.prefixed("li_")`.
    private static let instanceColumns = SQLLabInstanceRepository.columns.split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespaces) }
        .map { "li.\($0) AS li_\($0)" }
        .joined(separator: ", ")

    func snapshot(
        platformID: PlatformID, subject: String, deploymentID: String, contextID: String, resourceLinkID: String
    ) async throws -> LaunchSnapshot? {
        guard
            let row = try await database.query(
                """
                SELECT u.id AS user_id, u.name AS user_name, u.email AS user_email,
                    c.id AS course_id, c.title AS course_title, en.role AS role, cr.memberships_url AS memberships_url,
                    a.id AS activity_id, a.title AS activity_title, a.environment_id AS environment_id,
                    a.line_item_url AS line_item_url, a.line_items_url AS line_items_url,
                    e.name AS environment_name, e.title AS environment_title, e.specification AS environment_specification,
                    \(Self.instanceColumns)
                FROM users u
                LEFT JOIN courses c ON c.issuer = u.issuer AND c.context_id = ?
                LEFT JOIN enrollments en ON en.course_id = c.id AND en.user_id = u.id
                LEFT JOIN course_rosters cr ON cr.course_id = c.id
                LEFT JOIN activities a ON a.course_id = c.id AND a.resource_link_id = ?
                LEFT JOIN environments e ON e.id = a.environment_id
                LEFT JOIN lab_instances li ON li.user_id = u.id AND li.environment_id = e.id AND li.live_key IS NOT NULL
                WHERE u.issuer = \(SQLUserRepository.issuerOf) AND u.subject = ?
                """,
                [.text(contextID), .text(resourceLinkID), .text(platformID.rawValue), .text(subject)]
            ).first
        else { return nil }

        var snapshot = LaunchSnapshot(
            user: User(
                id: try row.id("user_id"), platformID: platformID, subject: subject,
                name: row.optionalString("user_name"), email: row.optionalString("user_email")))
        guard let courseID = row.optionalString("course_id") else { return snapshot }
        snapshot.course = Course(
            id: CourseID(courseID), platformID: platformID, deploymentID: deploymentID, contextID: contextID,
            title: try row.string("course_title"))
        snapshot.role = row.optionalString("role").flatMap(CourseRole.init(rawValue:))
        snapshot.membershipsURL = row.optionalString("memberships_url")
        guard let activityID = row.optionalString("activity_id") else { return snapshot }
        let environmentID = row.optionalString("environment_id").map(EnvironmentID.init)
        snapshot.activity = Activity(
            id: ActivityID(activityID), courseID: CourseID(courseID), resourceLinkID: resourceLinkID,
            title: try row.string("activity_title"), environmentID: environmentID, lineItemURL: row.optionalString("line_item_url"),
            lineItemsURL: row.optionalString("line_items_url"))
        guard let environmentID, let name = row.optionalString("environment_name") else { return snapshot }
        snapshot.environment = Environment(
            id: environmentID, name: name, title: try row.string("environment_title"),
            specification: try row.string("environment_specification"))
        if row.optionalString("li_id") != nil {
            snapshot.liveInstance = try instances.instance(row.prefixed("li_"))
        }
        return snapshot
    }
}
