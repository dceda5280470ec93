import LTIGateway

/// What the LTI gateway hands the job queue and the pages: grade delivery, roster reading
/// and messages to students.
package struct LTIJobs: Sendable {
    let grades: GradePassback
    package let rosters: RosterSync
    let messages: StudentMessages
}
