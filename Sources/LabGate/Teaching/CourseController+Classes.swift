import Foundation
import Hummingbird
import LTIGateway
import LabCore

extension CourseController {
    /// Prepares an activity's labs for a class: its start (in the course's time zone) and
    /// length, or every time window of the course or event of Moodle's calendar in the next two
    /// weeks; the share of the roster expected and the spares. A class in the past, or one
    /// overlapping another of the activity's, is refused with the reason; nothing is merged.
    func addClass(_ access: Access) async throws -> Response {
        let form = access.form.firstValues
        guard let activityID = form["activity"], let activity = try await repositories.courses.activity(id: ActivityID(activityID)),
            activity.courseID == access.course.id
        else { throw CoursePageError.invalid(field: "activity", message: "Choose one of the course's activities.") }
        guard let environmentID = activity.environmentID else {
            throw CoursePageError.invalid(field: "activity", message: "Choose an environment for \(activity.title) first.")
        }
        let settings = try await repositories.courses.settings(of: access.course.id)
        let zone = settings.timeZone
        func number(_ field: String, _ fallback: Int, _ words: String) throws -> Int {
            guard let text = form[field]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return fallback }
            guard let value = Int(text) else { throw CoursePageError.invalid(field: field, message: "\(words) must be a whole number, not \(text).") }
            return value
        }
        let spares = try number("spares", 0, "The spares")
        let template = ClassSession(
            courseID: access.course.id, environmentID: environmentID, startsAt: Date(), endsAt: Date(),
            attendancePercent: try number("attendance", 100, "The attendance"), spares: spares,
            spareBuffer: min(spares, try number("spareBuffer", 2, "The spares kept")), createdAt: Date())
        let times = try await classTimes(form, settings: settings, course: access.course, minutes: try number("minutes", 90, "The length in minutes"))
        var added: [ClassSession] = []
        var refusals: [String] = []
        for (start, end, source) in times {
            var session = template
            session.id = .random()
            (session.startsAt, session.endsAt, session.source) = (start, end, source)
            let problems = session.problems(at: Date())
            do {
                guard problems.isEmpty else { throw ClassSessionError.invalid(problems) }
                try await repositories.classSessions.add(session)
                added.append(session)
            } catch let error as ClassSessionError {
                refusals.append("\(ClassTime.format(start, in: zone)): \(error)")
            }
        }
        let subject = "activity/\(activity.id)"
        for session in added {
            await audit.record(
                event(
                    access, "class.prepare", subject,
                    detail: "\(ClassTime.format(session.startsAt, in: zone)) to \(ClassTime.clock(session.endsAt, in: zone)) (\(session.source.rawValue)), "
                        + "\(session.attendancePercent) %, \(spares) spares"))
        }
        if !refusals.isEmpty {
            await audit.record(event(access, "class.prepare", subject, outcome: .refused, detail: refusals.joined(separator: "; ")))
        }
        guard !added.isEmpty else {
            let reason = refusals.isEmpty ? "there is no such time in the next two weeks" : refusals.joined(separator: "; ")
            throw CoursePageError.invalid(field: "start", message: "The class was not added: \(reason).")
        }
        let when = added.count == 1 ? "the class at \(ClassTime.format(added[0].startsAt, in: zone)) (\(zone))" : "\(added.count) classes"
        return try await done(
            access, "\(activity.title): labs will be ready for \(when)." + (refusals.isEmpty ? "" : " Not added: \(refusals.joined(separator: "; ")).")
        )
    }

    /// The times the form asks for: one class, or the course's windows or calendar events of the next two weeks.
    private func classTimes(_ form: [String: String], settings: CourseSettings, course: Course, minutes: Int) async throws -> [(
        Date, Date, ClassSession.Source
    )] {
        let zone = settings.timeZone
        let now = Date()
        let horizon = now.addingTimeInterval(14 * 86400)
        switch form["repeat"] ?? "" {
        case "windows":
            return settings.windows.compactMap { window in
                guard let start = ClassTime.parse(window.start, in: zone), let end = ClassTime.parse(window.end, in: zone), start > now, start < horizon
                else { return nil }
                return (start, end, .window)
            }
        case "calendar":
            let events: [MoodleSite.Event]
            do {
                events = try await webServices.events(of: course, from: now, to: horizon)
            } catch {
                throw CoursePageError.invalid(field: "repeat", message: "Moodle's calendar cannot be read now: \(error)")
            }
            return events.filter { $0.timeduration > 0 && $0.start > now }.map { ($0.start, $0.end, .calendar) }
        default:
            guard let text = form["start"], let start = ClassTime.parse(text, in: zone) else {
                throw CoursePageError.invalid(field: "start", message: "Give the class's start as a date and time, like 2026-12-07T09:00 (\(zone)).")
            }
            return [(start, start.addingTimeInterval(Double(minutes) * 60), .teacher)]
        }
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
