import Foundation
import Hummingbird
import LabCore

extension CourseController {
    /// Prepares an activity's labs for a class: its start (in the course's time zone), its
    /// length, the share of the roster expected and the spares. A class in the past, or one
    /// overlapping another of the activity's, is refused with the reason; nothing is merged.
    func addClass(_ access: Access) async throws -> Response {
        let form = access.form.firstValues
        guard let activityID = form["activity"], let activity = try await repositories.courses.activity(id: ActivityID(activityID)),
            activity.courseID == access.course.id
        else { throw CoursePageError.invalid(field: "activity", message: "Choose one of the course's activities.") }
        guard let environmentID = activity.environmentID else {
            throw CoursePageError.invalid(field: "activity", message: "Choose an environment for \(activity.title) first.")
        }
        let zone = try await repositories.courses.settings(of: access.course.id).timeZone
        guard let text = form["start"], let start = ClassTime.parse(text, in: zone) else {
            throw CoursePageError.invalid(field: "start", message: "Give the class's start as a date and time, like 2026-12-07T09:00 (\(zone)).")
        }
        func number(_ field: String, _ fallback: Int, _ words: String) throws -> Int {
            guard let text = form[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return fallback }
            guard let value = Int(text) else { throw CoursePageError.invalid(field: field, message: "\(words) must be a whole number, not \(text).") }
            return value
        }
        let minutes = try number("minutes", 90, "The length in minutes")
        let spares = try number("spares", 0, "The spares")
        let session = ClassSession(
            courseID: access.course.id, environmentID: environmentID, startsAt: start, endsAt: start.addingTimeInterval(Double(minutes) * 60),
            attendancePercent: try number("attendance", 100, "The attendance"), spares: spares,
            spareBuffer: min(spares, try number("spareBuffer", 2, "The spares kept")), createdAt: Date())
        let problems = session.problems(at: Date())
        let subject = "activity/\(activity.id)"
        do {
            guard problems.isEmpty else { throw ClassSessionError.invalid(problems) }
            try await repositories.classSessions.add(session)
        } catch let error as ClassSessionError {
            await audit.record(event(access, "class.prepare", subject, outcome: .refused, detail: "\(error)"))
            throw CoursePageError.invalid(field: "start", message: "The class was not added: \(error).")
        }
        await audit.record(
            event(
                access, "class.prepare", subject,
                detail: "\(ClassTime.format(start, in: zone)) for \(minutes) minutes, \(session.attendancePercent) %, \(spares) spares"))
        return try await done(access, "\(activity.title): labs will be ready for the class at \(ClassTime.format(start, in: zone)) (\(zone)).")
    }

    /// Forgets a class and removes the labs prepared for it that nobody has opened.
    func removeClass(_ context: Context, _ access: Access) async throws -> Response {
        guard let session = try await repositories.classSessions.find(id: ClassSessionID(try context.parameters.require("class"))),
            session.courseID == access.course.id
        else { throw CoursePageError.invalid(field: "class", message: "That class is not prepared any more; reload the page.") }
        // Forgotten first, so that the preparer makes no more for it meanwhile.
        try await repositories.classSessions.remove(session.id)
        var removed = 0
        for lab in try await repositories.instances.list(preparedFor: session.id) where try await operations.removeUnclaimed(lab.id, of: session.id) {
            removed += 1
        }
        await audit.record(event(access, "class.remove", "class/\(session.id)", detail: "\(removed) unopened labs removed"))
        return try await done(access, "The class is no longer prepared; \(removed) lab\(removed == 1 ? "" : "s") nobody opened removed.")
    }
}

/// A class's times as the course page reads and writes them: minutes, in the course's time zone.
enum ClassTime {
    static func parse(_ text: String, in zone: String) -> Date? {
        formatter(zone, "yyyy-MM-dd'T'HH:mm").date(from: text.trimmingCharacters(in: .whitespaces))
    }

    static func format(_ date: Date, in zone: String) -> String {
        formatter(zone, "yyyy-MM-dd HH:mm").string(from: date)
    }

    /// The time of day alone, for "on time for 09:00".
    static func clock(_ date: Date, in zone: String) -> String {
        formatter(zone, "HH:mm").string(from: date)
    }

    private static func formatter(_ zone: String, _ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = format
        formatter.isLenient = false
        return formatter
    }
}
