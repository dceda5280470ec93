/// Why a request to a course page was refused; `Refusal` words it for the teacher.
enum CoursePageError: Error, Equatable {
    case sessionRequired
    case noSuchCourse
    /// Not a teacher of this course (nor an admin of its platform).
    case teachersOnly
    /// A non-editing teacher sent a form: they may watch, not change.
    case readOnly
    case noSuchInstance
    case noSuchActivity
    case staleForm
    /// A form field that cannot be used; `field` is its name.
    case invalid(field: String, message: String)
}
