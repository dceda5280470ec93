import HTTPTypes

/// Why a request to a course page was refused, in words for the teacher.
enum CoursePageError: Error, Equatable {
    case sessionRequired
    case noSuchCourse
    /// Not a teacher of this course (nor an admin of its platform).
    case teachersOnly
    case noSuchInstance
    case noSuchActivity
    case staleForm
    /// A form field that cannot be used; `field` is its name.
    case invalid(field: String, message: String)

    var status: HTTPResponse.Status {
        switch self {
        case .sessionRequired: .unauthorized
        case .noSuchCourse, .noSuchInstance, .noSuchActivity: .notFound
        case .teachersOnly, .staleForm: .forbidden
        case .invalid: .unprocessableContent
        }
    }

    var message: String {
        switch self {
        case .sessionRequired: "Your session has expired. Open the activity again from your course."
        case .noSuchCourse: "There is no such course."
        case .teachersOnly: "Only the course's teachers can see and change this page."
        case .noSuchInstance: "There is no such lab in this course."
        case .noSuchActivity: "There is no such activity in this course."
        case .staleForm: "This page was out of date. Reload it and try again."
        case .invalid(let field, let message): "\(field): \(message)"
        }
    }
}
