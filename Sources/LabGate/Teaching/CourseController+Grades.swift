import Foundation
import Hummingbird
import LTIGateway
import LabCore

extension CourseController {
    /// The highest score of a grade LabGate sends, and of the column it makes.
    static var scoreMaximum: Double { GradePassback.scoreMaximum }

    /// `POST /courses/<id>/activities/<activity>/grades`: a teacher's grade for one student,
    /// on its way to the platform's gradebook.
    func grade(_ context: Context, _ access: Access) async throws -> Response {
        let form = access.form.firstValues
        guard let activity = try await repositories.courses.activity(id: ActivityID(try context.parameters.require("activity"))),
            activity.courseID == access.course.id
        else { throw CoursePageError.noSuchActivity }
        guard let studentID = form["student"].map(UserID.init),
            let student = try await repositories.courses.members(of: access.course.id).first(where: { $0.user.id == studentID && $0.role == .student })
        else { throw CoursePageError.invalid(field: "student", message: "Choose one of the course's students.") }
        let text = (form["score"] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        guard let score = Double(text), score.isFinite, (0...Self.scoreMaximum).contains(score) else {
            throw CoursePageError.invalid(field: "score", message: "A grade is a number from 0 to \(Int(Self.scoreMaximum)); “\(text)” is not.")
        }
        let comment = form["comment"].map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(1000)) }.flatMap { $0.isEmpty ? nil : $0 }
        try await lti.grades.submit(
            .graded, activityID: activity.id, userID: student.user.id, scoreGiven: score, scoreMaximum: Self.scoreMaximum, comment: comment,
            actor: "user:\(access.session.userID)", now: Date())
        let name = student.user.name ?? student.user.subject
        return try await done(
            access, "The grade of \(name) in \(activity.title) (\(score.formatted())/\(Int(Self.scoreMaximum))) is on its way to the gradebook.")
    }
}
