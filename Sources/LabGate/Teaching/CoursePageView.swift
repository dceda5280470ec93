import LTIGateway
import LabCore

/// Everything the teacher's course page shows, read before it is rendered.
struct CoursePageView: Sendable {
    var course: Course
    var activities: [Activity]
    var settings: CourseSettings
    var limits: CourseLimits
    var roster: CourseRoster
    var events: [AuditEvent]
    /// The students' grades in the activities that have a gradebook column.
    var grades: [Grade]
    /// Everyone the platform lists as enrolled, as last read.
    var enrolments: EnrolmentList
    /// The timetable and groups from Moodle's web services.
    var moodle: CourseFromMoodle
    /// The classes labs are prepared for, with the labs still waiting for their students.
    var classes: [(session: ClassSession, labs: [LabInstance])]
    /// A non-editing teacher's view: no forms.
    var readOnly: Bool
    var csrf: String
    var notice: String?
    var problems: [(field: String, message: String)]
}
