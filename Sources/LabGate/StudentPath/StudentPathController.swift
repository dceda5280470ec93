import Foundation
import GuacBridge
import HTTPTypes
import Hummingbird
import LTIGateway
import LabCore
import Metrics
import Provisioning
import ServiceLifecycle
import WebSupport

/// The student's way from a launch to the desktop: the waiting page and its live progress,
/// starting a stopped or failed lab, a window of its own, the single-use link and, without
/// Guacamole, the preview in its place.
struct StudentPathController<Context: RequestContext>: Sendable {
    /// The browser's session, its forms' tokens and window passes.
    let web: WebSessions
    let repositories: Repositories
    let operations: any LabRequests
    let desktops: GuacBridge
    /// Where a first opening of the desktop is reported to the gradebook (`Started`).
    let grades: GradePassback
    /// The environments' checks ("Check my work", "Hand in").
    let checks: any LabChecks
    /// Where the reconciler leaves a warning for a lab that looks unused.
    let ephemeral: any EphemeralStore
    /// The waiting page's live progress.
    var progressStream = LabProgressStream()

    /// One route of the student's path: the authorization test walks this table.
    struct Route: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var handle: @Sendable (StudentPathController, Request, Context) async throws -> Response
    }

    /// Every route of the student's path; the authorization test walks this table.
    static var routes: [Route] {
        [
            Route(method: .get, path: "/labs/:instance") { controller, request, context in try await controller.waitingPage(request, context) },
            Route(method: .get, path: "/labs/:instance/events") { controller, request, context in try await controller.events(request, context) },
            Route(method: .post, path: "/labs/:instance/start") { controller, request, context in try await controller.start(request, context) },
            Route(method: .post, path: "/labs/:instance/desktop") { controller, request, context in try await controller.desktop(request, context) },
            Route(method: .post, path: "/labs/:instance/check") { controller, request, context in try await controller.check(request, context) },
            Route(method: .post, path: "/labs/:instance/hand-in") { controller, request, context in try await controller.handIn(request, context) },
            Route(method: .post, path: "/labs/:instance/reset") { controller, request, context in try await controller.reset(request, context) },
            Route(method: .post, path: "/labs/:instance/checkpoints") { controller, request, context in
                try await controller.saveCheckpoint(request, context)
            },
            Route(method: .post, path: "/labs/:instance/checkpoints/:checkpoint/go-back") { controller, request, context in
                try await controller.goBack(request, context)
            },
            Route(method: .post, path: "/labs/:instance/checkpoints/:checkpoint/delete") { controller, request, context in
                try await controller.deleteCheckpoint(request, context)
            },
            Route(method: .post, path: "/labs/:instance/window") { controller, request, context in try await controller.window(request, context) },
            Route(method: .post, path: "/labs/:instance/window-pass") { controller, request, context in try await controller.freshPass(request, context) },
            Route(method: .get, path: "/open/:code") { controller, request, context in try await controller.open(request, context) },
            Route(method: .get, path: "/preview") { controller, request, context in try await controller.preview(request) },
        ]
    }

    var endpoints: RouteCollection<Context> {
        let collection = RouteCollection(context: Context.self)
        for route in Self.routes {
            collection.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.handle(self, request, context)
            }
        }
        return collection
    }

    /// The session's own instance named in the path; another student's is "no such lab".
    func ownInstance(_ request: Request, _ context: Context) async throws -> (LaunchSession, LabInstance) {
        guard let session = try await web.session(of: request) else { throw LabPageError.sessionRequired }
        let id = LabInstanceID(try context.parameters.require("instance"))
        guard let instance = try await repositories.instances.find(id: id), instance.userID == session.userID else {
            throw LabPageError.noSuchLab
        }
        return (session, instance)
    }

    /// A lab on its way: the waiting page. A ready one: the lab's home, or straight the desktop
    /// when the home would offer nothing more (no checks, no gradebook column).
    private func waitingPage(_ request: Request, _ context: Context) async throws -> Response {
        let (session, instance) = try await ownInstance(request, context)
        let environment = try await repositories.environments.find(id: instance.environmentID)
        if instance.state == .ready {
            let home = try await homeView(request, session: session, instance: instance, environment: environment)
            guard home.hasWork else {
                return Response(status: .seeOther, headers: [.location: try await desktops.link(for: instance), .cacheControl: "no-store"])
            }
            return HTMLPage.labHome(home).response(headers: [.cacheControl: "no-store"])
        }
        return HTMLPage.waiting(
            instance, environment: environment, backToPage: request.uri.queryParameters["then"] == "page", csrf: web.csrfToken(of: request) ?? "",
            windowPass: try await web.windowPass(of: request, instance: instance.id) ?? ""
        ).response()
    }

    /// Server-sent events: `progress` whenever the state changes, then `ready` with a fresh
    /// single-use link (with `?then=page`, the lab's page instead: after work on its
    /// checkpoints, which the page lists), or the stream ends at a state that waits for the student.
    private func events(_ request: Request, _ context: Context) async throws -> Response {
        let (_, first) = try await ownInstance(request, context)
        let (stream, repositories, desktops) = (progressStream, repositories, desktops)
        let backToPage = request.uri.queryParameters["then"] == "page"
        let body = ResponseBody { writer in
            try await stream.run(
                first, reload: { try await repositories.instances.find(id: $0) },
                link: { backToPage ? PagePaths.lab($0.id) : try await desktops.link(for: $0) },
                write: { try await writer.write($0) })
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: body)
    }

    /// Starts a stopped lab, or tries a failed one again.
    private func start(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstance(request, context)
        let form = try await request.formFields()
        guard web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw LabPageError.staleForm }
        _ = try await operations.perform(.start, on: instance.id)
        context.logger.info("lab started by its student", metadata: ["instance": .string(instance.id.rawValue)])
        return Response(status: .seeOther, headers: [.location: PagePaths.lab(instance.id)])
    }

    /// The waiting page in a window of its own: the pass carries the session there, once,
    /// within two minutes, for this lab only; a form from another site is refused.
    private func window(_ request: Request, _ context: Context) async throws -> Response {
        guard !request.isCrossSite(publicURL: web.publicURL) else { throw LabPageError.crossSite }
        let form = try await request.formFields()
        let id = LabInstanceID(try context.parameters.require("instance"))
        guard let pass = form["pass"]?.first, let (session, cookie) = try await web.redeemWindowPass(pass, instance: id) else {
            throw LabPageError.sessionRequired
        }
        guard let instance = try await repositories.instances.find(id: id), instance.userID == session.userID else { throw LabPageError.noSuchLab }
        return Response(status: .seeOther, headers: [.location: PagePaths.lab(instance.id), .setCookie: cookie.value])
    }

    /// A new window pass for the waiting page, whose script asks for one before the last expires.
    private func freshPass(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstance(request, context)
        let form = try await request.formFields()
        guard web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw LabPageError.staleForm }
        let pass = try await web.windowPass(of: request, instance: instance.id) ?? ""
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(["pass": pass]))))
    }

    /// Redeems a single-use link: the first request of its own student goes on to the desktop.
    private func open(_ request: Request, _ context: Context) async throws -> Response {
        guard let session = try await web.session(of: request) else { throw LabPageError.sessionRequired }
        do {
            let grant = try await desktops.links.redeem(try context.parameters.require("code"), by: session.userID)
            let instance = try await repositories.instances.find(id: grant.instanceID)
            guard let instance, instance.state == .ready else { throw GuacBridgeError.notReady(state: instance?.state.rawValue ?? "deleted") }
            let location = try await desktops.redirect(for: grant)
            Counter(label: "labgate_links_redeemed_total", dimensions: [("outcome", "redirected")]).increment()
            await recordClickToDesktop(of: session)
            context.logger.info("single-use link redeemed", metadata: ["instance": .string(grant.instanceID.rawValue)])
            if let activityID = session.activityID {
                do {
                    try await grades.started(activityID: activityID, userID: session.userID, now: Date())
                } catch {
                    // The desktop opens whatever the gradebook's state: its progress is not worth a refusal.
                    context.logger.warning("the gradebook's progress was not recorded", metadata: ["error": .string("\(error)")])
                }
            }
            return Response(status: .found, headers: [.location: location, .cacheControl: "no-store", HTTPField.Name("Referrer-Policy")!: "no-referrer"])
        } catch let error as GuacBridgeError {
            Counter(label: "labgate_links_redeemed_total", dimensions: [("outcome", Self.outcome(error))]).increment()
            throw error
        }
    }

    /// The time from the launch to the desktop, once per launch: a student who opens the desktop
    /// again from the same launch (a second window, a reload) is not counted twice.
    /// A store that does not answer costs the figure, not the desktop.
    private func recordClickToDesktop(of session: LaunchSession) async {
        guard let startedAt = session.startedAt, session.expiresAt > Date(),
            (try? await ephemeral.setIfAbsent("desktop-opened:\(session.id)", to: "1", ttl: .seconds(max(1, session.expiresAt.timeIntervalSinceNow)))) == true
        else { return }
        Metrics.Timer(label: PrometheusMetrics.clickToDesktop).recordNanoseconds(Int64(max(0, Date().timeIntervalSince(startedAt)) * 1e9))
    }

    private static func outcome(_ error: GuacBridgeError) -> String {
        switch error {
        case .linkUsedOrExpired: "used_or_expired"
        case .notYourLink: "not_yours"
        case .notReady: "not_ready"
        case .noSuchConnection: "no_such_connection"
        case .invalidLogin, .invalidSecretKey: "invalid"
        }
    }

    private func preview(_ request: Request) async throws -> Response {
        guard desktops.settings.guacamoleURL == nil else { throw LabPageError.noPreview }
        guard let session = try await web.session(of: request) else { throw LabPageError.sessionRequired }
        let query = request.uri.queryParameters
        guard let data = query["data"].map(String.init) else { throw GuacBridgeError.invalidLogin }
        let preview = try await desktops.preview(data: data, connectionID: query["connection"].flatMap { Int(String($0)) }, for: session.userID)
        return HTMLPage.preview(preview).response()
    }
}
