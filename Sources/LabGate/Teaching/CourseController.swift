import Foundation
import HTTPTypes
import Hummingbird
import LTIGateway
import LabCore
import Provisioning
import WebSupport

/// The teacher's page of one course, reached from an instructor's launch: the activities'
/// environments, the course's settings, its students' labs with actions, "prepare now" and
/// the course's audit trail, and what Moodle's web services add (timetable, groups). The
/// course's teachers (and its platform's admins) get in; Moodle's non-editing teachers, whom
/// LTI calls Learners, may watch it without changing anything.
struct CourseController<Context: RequestContext>: Sendable {
    /// The browser's session, its forms' tokens and window passes.
    let web: WebSessions
    let repositories: Repositories
    let operations: any LabRequests
    /// Where the students' desktop sessions are read (connected, idle).
    let desktops: any RemoteDesktops
    let limits: CourseLimits
    let audit: AuditTrail
    let notices: CourseNotices
    /// Where a teacher's grade goes to the platform's gradebook, and where the roster is read.
    let lti: LTIJobs
    /// Moodle's web services: the timetable and groups, and who is a non-editing teacher.
    let webServices: MoodleWebServices

    /// A teacher's verified request: their session and the course it is about.
    struct Access: Sendable {
        var session: LaunchSession
        var course: Course
        /// A non-editing teacher, who sees the page without its forms.
        var readOnly = false
        var address: String?
        /// The posted form (read once, its CSRF token checked); empty for a GET.
        var form: [String: [String]]
    }

    /// One route of the course pages: the authorization test walks this table.
    struct Route: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var handle: @Sendable (CourseController, Request, Context, Access) async throws -> Response
    }

    /// Every course route; the authorization test walks this table.
    static var routes: [Route] {
        [
            Route(method: .get, path: "/courses/:course") { controller, request, _, access in try await controller.coursePage(request, access) },
            Route(method: .get, path: "/courses/:course/roster") { controller, request, _, access in try await controller.roster(request, access) },
            Route(method: .post, path: "/courses/:course/activities/:activity/environment") { controller, _, context, access in
                try await controller.chooseEnvironment(context, access)
            },
            Route(method: .post, path: "/courses/:course/settings") { controller, request, context, access in
                try await controller.saveSettings(request, context, access)
            },
            Route(method: .post, path: "/courses/:course/instances/:instance/:action") { controller, _, context, access in
                try await controller.act(context, access)
            },
            Route(method: .post, path: "/courses/:course/actions") { controller, _, context, access in try await controller.actOnAll(context, access) },
            Route(method: .post, path: "/courses/:course/prepare") { controller, _, context, access in try await controller.prepare(context, access) },
            Route(method: .post, path: "/courses/:course/classes") { controller, _, _, access in try await controller.addClass(access) },
            Route(method: .post, path: "/courses/:course/classes/:class/remove") { controller, _, context, access in
                try await controller.removeClass(context, access)
            },
            Route(method: .post, path: "/courses/:course/roster") { controller, _, _, access in try await controller.syncRoster(access) },
            Route(method: .post, path: "/courses/:course/activities/:activity/grades") { controller, _, context, access in
                try await controller.grade(context, access)
            },
        ]
    }

    var endpoints: RouteCollection<Context> {
        let collection = RouteCollection(context: Context.self)
        for route in Self.routes {
            collection.on(RouterPath(route.path), method: route.method) { request, context in
                let access = try await authorize(request, context, checkForm: route.method == .post)
                return try await route.handle(self, request, context, access)
            }
        }
        return collection
    }

    /// The session's course, if they may teach it; for a form, its CSRF token checked too.
    private func authorize(_ request: Request, _ context: Context, checkForm: Bool) async throws -> Access {
        guard let session = try await web.session(of: request) else { throw CoursePageError.sessionRequired }
        guard let course = try await repositories.courses.find(id: CourseID(try context.parameters.require("course"))) else {
            throw CoursePageError.noSuchCourse
        }
        var readOnly = false
        if try await !session.mayTeach(course.id, courses: repositories.courses) {
            guard try await mayWatch(session, course) else { throw CoursePageError.teachersOnly }
            readOnly = true
        }
        var form: [String: [String]] = [:]
        if checkForm {
            guard !readOnly else { throw CoursePageError.readOnly }
            form = try await request.formFields()
            guard web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw CoursePageError.staleForm }
        }
        return Access(
            session: session, course: course, readOnly: readOnly, address: request.clientAddress(context, trustForwardedFor: web.trustForwardedFor),
            form: form)
    }

    /// Whether Moodle lists the session's user as a non-editing teacher of the course (its
    /// web services say; without them, nobody but teachers gets in).
    private func mayWatch(_ session: LaunchSession, _ course: Course) async throws -> Bool {
        guard session.platformID == course.platformID, try await repositories.courses.role(of: session.userID, in: course.id) != nil,
            let user = try await repositories.users.find(id: session.userID), let moodleID = Int(user.subject),
            let participants = try? await webServices.participants(of: course)
        else { return false }
        return participants.contains { $0.id == moodleID && $0.isNonEditingTeacher }
    }

    private func roster(_ request: Request, _ access: Access) async throws -> Response {
        let roster = try await CourseRoster.load(access.course.id, from: repositories, desktops: desktops)
        return HTMLPage.rosterRows(roster, courseID: access.course.id, csrf: web.csrfToken(of: request) ?? "", readOnly: access.readOnly)
    }

    private func coursePage(_ request: Request, _ access: Access) async throws -> Response {
        let notice = try await notices.text(of: request.uri.queryParameters["notice"].map(String.init), for: access.session.userID)
        return try await page(access, csrf: web.csrfToken(of: request) ?? "", notice: notice)
    }

    private func page(_ access: Access, csrf: String, notice: String?, problems: [(field: String, message: String)] = [], settings: CourseSettings? = nil)
        async throws -> Response
    {
        let courseID = access.course.id
        let enrolments = try await repositories.enrolments.list(courseID: courseID)
        async let moodle = CourseFromMoodle.load(access.course, from: webServices, now: Date())
        do {
            try await lti.rosters.readIfOld(courseID, enrolments)
        } catch {
            // The page shows the roster it has; the next look asks again.
        }
        var classes: [(session: ClassSession, labs: [LabInstance])] = []
        for session in try await repositories.classSessions.list(courseID: courseID, since: Date()) {
            classes.append((session, try await repositories.instances.list(preparedFor: session.id)))
        }
        let view = CoursePageView(
            course: access.course, activities: try await repositories.courses.activities(of: courseID),
            settings: try await storedSettings(courseID, unless: settings), limits: limits,
            roster: try await CourseRoster.load(courseID, from: repositories, desktops: desktops),
            events: try await repositories.audit.list(AuditFilter(courseID: courseID), before: nil, limit: 25),
            grades: try await repositories.grades.list(courseID: courseID), enrolments: enrolments,
            moodle: await moodle, classes: classes, readOnly: access.readOnly, csrf: csrf, notice: notice, problems: problems
        )
        return HTMLPage.course(view).response()
    }

    private func storedSettings(_ courseID: CourseID, unless given: CourseSettings?) async throws -> CourseSettings {
        if let given { return given }
        return try await repositories.courses.settings(of: courseID)
    }

    /// Back to the course page with a line saying what happened.
    func done(_ access: Access, _ notice: String) async throws -> Response {
        var components = URLComponents()
        components.path = PagePaths.course(access.course.id)
        components.queryItems = [URLQueryItem(name: "notice", value: try await notices.post(notice, for: access.session.userID))]
        return Response(status: .seeOther, headers: [.location: components.string ?? PagePaths.course(access.course.id)])
    }

    func event(_ access: Access, _ action: String, _ subject: String, outcome: AuditEvent.Outcome = .succeeded, detail: String = "") -> AuditEvent {
        AuditEvent(
            at: Date(), actor: "user:\(access.session.userID)", action: action, subject: subject, detail: detail, courseID: access.course.id,
            address: access.address, outcome: outcome)
    }

    private func chooseEnvironment(_ context: Context, _ access: Access) async throws -> Response {
        let form = access.form
        guard let activity = try await repositories.courses.activity(id: ActivityID(try context.parameters.require("activity"))),
            activity.courseID == access.course.id
        else { throw CoursePageError.noSuchActivity }
        guard let name = form["environment"]?.first, let environment = try await repositories.environments.find(name: name) else {
            throw CoursePageError.invalid(field: "environment", message: "Choose one of the listed environments.")
        }
        _ = try await repositories.courses.bind(activity.id, to: environment.id)
        await audit.record(event(access, "activity.set-environment", "activity/\(activity.id)", detail: environment.name))
        return try await done(access, "\(activity.title) now opens \(environment.title).")
    }

    private func saveSettings(_ request: Request, _ context: Context, _ access: Access) async throws -> Response {
        let form = access.form.firstValues
        var settings = CourseSettings(timeZone: form["timeZone"].flatMap { $0.isEmpty ? nil : $0 } ?? "UTC")
        var problems: [(field: String, message: String)] = []
        func number(_ field: String) -> Int? {
            guard let text = form[field]?.trimmingCharacters(in: CharacterSet.whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                problems.append((field, "\(text) is not a whole number."))
                return nil
            }
            return value
        }
        settings.cores = number("cores")
        settings.memoryMiB = number("memoryMiB")
        settings.lifetimeMinutes = number("lifetimeMinutes")
        settings.idleTimeoutMinutes = number("idleTimeoutMinutes")
        settings.vlan = number("vlan")
        for line in (form["windows"] ?? "").split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let ends = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            settings.windows.append(TimeWindow(start: ends.first.map(String.init) ?? "", end: ends.count == 2 ? String(ends[1]) : ""))
        }
        problems += limits.problems(of: settings)
        guard problems.isEmpty else {
            await audit.record(
                event(access, "course.settings", "course/\(access.course.id)", outcome: .refused, detail: problems.map(\.message).joined(separator: " ")))
            var response = try await page(access, csrf: web.csrfToken(of: request) ?? "", notice: nil, problems: problems, settings: settings)
            response.status = HTTPResponse.Status.unprocessableContent
            return response
        }
        try await repositories.courses.saveSettings(settings, for: access.course.id)
        await audit.record(event(access, "course.settings", "course/\(access.course.id)"))
        return try await done(access, "The course's settings are saved; they apply to labs prepared from now on.")
    }

    private func act(_ context: Context, _ access: Access) async throws -> Response {
        let name = try context.parameters.require("action")
        guard let operation = LabOperations.Operation(rawValue: name) else {
            throw CoursePageError.invalid(field: "action", message: "Use start, stop, reset or delete.")
        }
        guard let instance = try await repositories.instances.find(id: LabInstanceID(try context.parameters.require("instance"))),
            instance.courseID == access.course.id
        else { throw CoursePageError.noSuchInstance }
        do {
            _ = try await operations.perform(operation, on: instance.id)
        } catch ProvisioningError.notAllowed(_, let state) {
            await audit.record(event(access, "instance.\(name)", "instance/\(instance.id)", outcome: .refused, detail: "the lab is \(state)"))
            return try await done(access, "Cannot \(name) a lab that is \(state).")
        }
        await audit.record(event(access, "instance.\(name)", "instance/\(instance.id)"))
        return try await done(access, "Asked to \(name) the lab; the table follows it.")
    }

    private func actOnAll(_ context: Context, _ access: Access) async throws -> Response {
        guard let name = access.form["action"]?.first, let operation = LabOperations.Operation(rawValue: name) else {
            throw CoursePageError.invalid(field: "action", message: "Use start, stop, reset or delete.")
        }
        var changed = 0
        var skipped = 0
        for instance in try await repositories.instances.list(courseID: access.course.id) {
            do {
                _ = try await operations.perform(operation, on: instance.id)
                changed += 1
            } catch ProvisioningError.notAllowed {
                skipped += 1
            }
        }
        await audit.record(
            event(access, "course.\(name)-all", "course/\(access.course.id)", detail: "\(changed) asked, \(skipped) could not"))
        return try await done(access, "Asked to \(name) \(changed) lab\(changed == 1 ? "" : "s")\(skipped > 0 ? "; \(skipped) could not be" : "").")
    }

    /// Labs for everyone who launched the course before, or for the students ticked, so they
    /// are ready when the class starts.
    private func prepare(_ context: Context, _ access: Access) async throws -> Response {
        let form = access.form
        guard let activityID = form["activity"]?.first, let activity = try await repositories.courses.activity(id: ActivityID(activityID)),
            activity.courseID == access.course.id
        else { throw CoursePageError.invalid(field: "activity", message: "Choose one of the course's activities.") }
        guard let environmentID = activity.environmentID, let environment = try await repositories.environments.find(id: environmentID) else {
            throw CoursePageError.invalid(field: "activity", message: "Choose an environment for \(activity.title) first.")
        }
        let students = try await repositories.courses.members(of: access.course.id).filter { $0.role == .student }
        let chosen = Set(form["student"] ?? [])
        var created = 0
        var existing = 0
        var refusals: [String] = []
        for student in students where chosen.isEmpty || chosen.contains(student.user.id.rawValue) {
            do {
                let (_, isNew) = try await operations.request(LabRequest(userID: student.user.id, environment: environment, courseID: access.course.id))
                if isNew { created += 1 } else { existing += 1 }
            } catch let refusal as LaunchRefusal {
                refusals.append(refusal.message)
            }
        }
        let summary = "\(created) prepared, \(existing) already there, \(refusals.count) refused"
        await audit.record(
            event(
                access, "course.prepare", "activity/\(activity.id)", outcome: refusals.isEmpty ? .succeeded : .refused,
                detail: summary + (refusals.first.map { ": \($0)" } ?? "")))
        return try await done(access, "Prepare now: \(summary)\(refusals.first.map { " (\($0))" } ?? "").")
    }
}
