import Foundation
import Hummingbird
import LTIGateway
import LabCore
import Provisioning
import WebSupport

extension HTMLPage {
    /// The teacher's course page: activities, settings, the students' labs and the trail.
    static func course(_ view: CoursePageView) -> HTMLPage {
        let course = view.course.id.rawValue
        let operations = LabOperations.Operation.allCases.map(\.rawValue)
        let ready = view.activities.filter { $0.environmentID != nil }
        var names: [String: String] = [:]
        for member in view.roster.members { names["user:\(member.user.id)"] = member.user.name ?? member.user.subject }
        var context: [String: Any] = [
            "title": view.course.title, "course": course, "csrf": view.csrf, "operations": operations,
            "roster": rosterContext(view.roster, courseID: view.course.id, csrf: view.csrf, readOnly: view.readOnly),
            "readOnly": view.readOnly, "moodle": moodleContext(view.moodle),
            "rosterURL": "/courses/\(course.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/roster",
            "activities": view.activities.map { activity in
                [
                    "id": activity.id.rawValue, "title": activity.title, "launched": activity.hasBeenLaunched, "unset": activity.environmentID == nil,
                    "environments": view.roster.environments.map { ["name": $0.name, "title": $0.title, "selected": $0.id == activity.environmentID] },
                ] as [String: Any]
            },
            "settings": settingsContext(view.settings, limits: view.limits),
        ]
        context["gradebook"] = gradebookContext(view)
        context["enrolment"] = enrolmentContext(view)
        context["classes"] = classesContext(view, activities: ready)
        context["notice"] = view.notice
        if !view.problems.isEmpty { context["problems"] = ["items": view.problems.map { ["field": $0.field, "message": $0.message] }] }
        if !view.events.isEmpty {
            context["audit"] = [
                "events": view.events.map { event in
                    [
                        "refused": event.outcome != .succeeded, "at": time(event.at), "who": names[event.actor] ?? event.actor, "action": event.action,
                        "outcome": event.outcome.rawValue, "detail": event.detail,
                    ] as [String: Any]
                }
            ]
        }
        if !ready.isEmpty {
            context["prepare"] = [
                "activities": ready.map { ["id": $0.id.rawValue, "title": $0.title] },
                "students": view.roster.members.filter { $0.role == .student }.map { ["id": $0.user.id.rawValue, "name": $0.user.name ?? $0.user.subject] },
            ]
        }
        return HTMLPage(title: view.course.title, body: pageTemplates.render("course", context), scripts: ["course.js"])
    }

    /// The prepared classes with their progress, and the form that adds one.
    private static func classesContext(_ view: CoursePageView, activities: [Activity]) -> [String: Any] {
        let zone = view.settings.timeZone
        let titles = Dictionary(view.roster.environments.map { ($0.id, $0.title) }) { first, _ in first }
        let now = Date()
        let rows = view.classes.map { session, labs -> [String: Any] in
            [
                "id": session.id.rawValue, "environment": titles[session.environmentID] ?? "?", "starts": ClassTime.format(session.startsAt, in: zone),
                "ends": ClassTime.clock(session.endsAt, in: zone), "attendance": session.attendancePercent, "spares": session.spares,
                "progress": classProgress(session, labs, now: now, zone: zone), "behind": session.plan.map { $0.expectedReady > session.startsAt } ?? false,
            ]
        }
        var context: [String: Any] = ["rows": rows, "zone": zone, "hasRows": !rows.isEmpty]
        if !activities.isEmpty { context["form"] = ["activities": activities.map { ["id": $0.id.rawValue, "title": $0.title] }] }
        return context
    }

    /// "42 of 60 ready, on time for 09:00", or what comes next.
    static func classProgress(_ session: ClassSession, _ labs: [LabInstance], now: Date, zone: String) -> String {
        let spares = labs.filter(\.isSpare)
        if now >= session.startsAt {
            return "Under way: \(spares.filter { $0.state == .ready }.count) spares waiting; \(labs.count - spares.count) prepared labs not opened yet."
        }
        guard let plan = session.plan else { return "Planned; LabGate works out when to begin at its next pass." }
        if labs.isEmpty, now < plan.cloningStarts {
            return
                "\(plan.labs) labs; preparing begins at \(ClassTime.clock(plan.cloningStarts, in: zone)) and they power on at \(ClassTime.clock(plan.powerOn, in: zone))."
        }
        let ready = labs.filter { $0.state == .ready }.count
        let waiting = labs.filter { $0.state == .stopped }.count
        let pace =
            plan.expectedReady <= session.startsAt
            ? "on time for \(ClassTime.clock(session.startsAt, in: zone))"
            : "behind: the last should be online at \(ClassTime.clock(plan.expectedReady, in: zone))"
        return "\(ready) of \(plan.labs) ready"
            + (waiting > 0 ? ", \(waiting) made and powering on at \(ClassTime.clock(plan.powerOn, in: zone))" : "") + ", \(pace)."
    }

    /// Only the roster's rows, for the table's refresh.
    static func rosterRows(_ roster: CourseRoster, courseID: CourseID, csrf: String, readOnly: Bool) -> Response {
        let html = pageTemplates.render("roster-rows", rosterContext(roster, courseID: courseID, csrf: csrf, readOnly: readOnly))
        return Response(
            status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    private static func rosterContext(_ roster: CourseRoster, courseID: CourseID, csrf: String, readOnly: Bool) -> [String: Any] {
        let rows = roster.rows.map { row -> [String: Any] in
            var fields: [String: Any] = ["student": row.member.user.id.rawValue, "name": row.member.user.name ?? row.member.user.subject]
            guard let instance = row.instance else { return fields }
            fields["lab"] =
                [
                    "id": instance.id.rawValue, "environment": row.environment?.title ?? "?", "state": instance.state.rawValue,
                    "node": instance.node ?? "–", "address": instance.address ?? "–", "created": time(instance.createdAt), "updated": time(instance.updatedAt),
                    "actions": LabOperations.Operation.allCases.map {
                        ["action": $0.rawValue, "path": "/courses/\(courseID.rawValue)/instances/\(instance.id.rawValue)/\($0.rawValue)"]
                    },
                ] as [String: Any]
            fields["failure"] = instance.failureReason
            fields["use"] =
                switch row.use {
                case .connected: "connected"
                case .idle(let since): "idle since \(since.formatted(readableTime)) UTC"
                case nil: instance.pauseReason.map { "paused \($0)" }
                }
            fields["checks"] = row.lastRun.map(checksCell)
            fields["checkpoints"] = row.checkpoints.map { checkpoint in
                ["label": checkpoint.label, "time": time(checkpoint.createdAt), "status": checkpoint.status == .saved ? "" : checkpoint.status.rawValue]
            }
            return fields
        }
        return ["rows": rows, "csrf": csrf, "readOnly": readOnly]
    }

    /// The timetable and the groups from Moodle, or why they are missing.
    private static func moodleContext(_ moodle: CourseFromMoodle) -> [String: Any] {
        var context: [String: Any] = [
            "configured": moodle.configured, "problems": moodle.problems, "hasGroups": !moodle.groups.isEmpty,
            "events": moodle.events.map { event in
                ["name": event.name, "start": time(event.start), "end": event.timeduration > 0 ? time(event.end) : nil].compactMapValues { $0 }
            },
            "groups": moodle.groups.map { ["name": $0.name, "members": $0.members.isEmpty ? "nobody" : $0.members.joined(separator: ", ")] },
        ]
        context["unavailable"] = moodle.unavailable
        return context
    }

    /// Per activity with a gradebook column, each student's grade: where it stands and a form to set it.
    private static func gradebookContext(_ view: CoursePageView) -> [[String: Any]] {
        let students = view.roster.members.filter { $0.role == .student }
        let grades = Dictionary(view.grades.map { ("\($0.activityID) \($0.userID)", $0) }, uniquingKeysWith: { first, _ in first })
        return view.activities.filter { $0.lineItemURL != nil || $0.lineItemsURL != nil }.map { activity in
            [
                "activityID": activity.id.rawValue, "title": activity.title,
                "students": students.map { member in
                    let grade = grades["\(activity.id) \(member.user.id)"]
                    return [
                        "id": member.user.id.rawValue, "name": member.user.name ?? member.user.subject, "state": gradeState(grade),
                        "score": grade.flatMap(scoreOutOf100)?.formatted(.number.precision(.fractionLength(0...2)).grouping(.never)) ?? "",
                        "comment": grade?.comment ?? "",
                    ]
                },
            ] as [String: Any]
        }
    }

    /// Everyone the platform lists, with who has opened the lab, who left, and when the list was read.
    private static func enrolmentContext(_ view: CoursePageView) -> [String: Any] {
        let list = view.enrolments
        let launched = Set(view.roster.members.map(\.user.subject))
        var context: [String: Any] = [
            "members": list.members.map { member in
                var row: [String: Any] = [
                    "name": member.name ?? member.subject, "email": member.email ?? "",
                    "launched": launched.contains(member.subject),
                ]
                row["groups"] = view.moodle.groupsBySubject[member.subject]?.joined(separator: ", ")
                row["left"] = member.leftAt.map { "left the course on \($0.formatted(readableTime)) UTC" }
                return row
            },
            "count": list.members.filter { $0.leftAt == nil && $0.isLearner }.count, "withGroups": !view.moodle.groupsBySubject.isEmpty,
        ]
        context["readAt"] = list.readAt.map { "\($0.formatted(readableTime)) UTC" }
        context["problem"] = list.problem
        if list.membershipsURL == nil { context["noService"] = true }
        return context
    }

    /// A lab's last check run in a teacher's table: the points, when, whether handed in, and each result.
    private static func checksCell(_ run: CheckRun) -> [String: Any] {
        [
            "summary": "\(run.score) of \(run.maxScore) points at \(run.ranAt.formatted(readableTime)) UTC" + (run.handedInAt == nil ? "" : " (handed in)"),
            "details": run.summary,
        ]
    }

    /// A grade on the form's scale of 0–100, whatever maximum it was sent with (a hand-in's is the checks' points).
    private static func scoreOutOf100(_ grade: Grade) -> Double? {
        guard let given = grade.scoreGiven else { return nil }
        guard let maximum = grade.scoreMaximum, maximum > 0 else { return given }
        return given / maximum * GradePassback.scoreMaximum
    }

    /// Where a grade stands, in a teacher's words.
    static func gradeState(_ grade: Grade?) -> String {
        guard let grade else { return "not sent" }
        var what = grade.activityProgress
        if let given = grade.scoreGiven, let maximum = grade.scoreMaximum { what += ", \(given.formatted())/\(maximum.formatted())" }
        switch grade.state {
        case .pending: return "pending (\(what))" + (grade.detail.map { ": \($0)" } ?? "")
        case .sent: return "sent at \(grade.updatedAt.formatted(readableTime)) UTC (\(what))"
        case .refused: return "refused (\(what)): \(grade.detail ?? "")"
        case .noColumn: return "no column: \(grade.detail ?? "")"
        }
    }

    private static func settingsContext(_ settings: CourseSettings, limits: CourseLimits) -> [String: Any] {
        func number(_ field: String, _ label: String, _ value: Int?, _ range: ClosedRange<Int>) -> [String: Any] {
            ["field": field, "label": label, "value": value.map(String.init) ?? "", "min": range.lowerBound, "max": range.upperBound]
        }
        var numbers = [
            number("cores", "Cores (up to \(limits.maxCores))", settings.cores, 1...limits.maxCores),
            number("memoryMiB", "Memory in MiB (up to \(limits.maxMemoryMiB))", settings.memoryMiB, 1...limits.maxMemoryMiB),
            number("lifetimeMinutes", "Lifetime in minutes (up to \(limits.maxLifetimeMinutes))", settings.lifetimeMinutes, 1...limits.maxLifetimeMinutes),
            number(
                "idleTimeoutMinutes", "Idle timeout in minutes (up to \(limits.maxIdleTimeoutMinutes))", settings.idleTimeoutMinutes,
                1...limits.maxIdleTimeoutMinutes),
        ]
        if let vlans = limits.vlans { numbers.append(number("vlan", "VLAN (\(vlans.lowerBound)–\(vlans.upperBound))", settings.vlan, vlans)) }
        return ["numbers": numbers, "timeZone": settings.timeZone, "windows": settings.windows.map { "\($0.start) \($0.end)" }.joined(separator: "\n")]
    }

    /// Formats made once: the table is rendered every few seconds, a row at a time.
    private static let machineTime = Date.ISO8601FormatStyle()
    static let readableTime = Date.ISO8601FormatStyle(dateTimeSeparator: .space).year().month().day().time(includingFractionalSeconds: false)

    private static func time(_ date: Date) -> [String: String] {
        ["machine": date.formatted(machineTime), "readable": date.formatted(readableTime)]
    }
}
