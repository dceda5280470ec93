import LTIGateway

/// What the LTI gateway hands the job queue and the pages: grade delivery and roster reading.
package struct LTIJobs: Sendable {
    let grades: GradePassback
    package let rosters: RosterSync
}
