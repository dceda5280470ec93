import Foundation
import Hummingbird
import JOSE
import LabCore
import Metrics
import WebEncoding
import WebSupport

/// The `/lti/*` routes: login initiation, launch, the tool's key set, the teacher's
/// environment choice, Deep Linking and Dynamic Registration.
public struct LTIController<Context: RequestContext>: Sendable {
    let service: LTIService

    public init(service: LTIService) {
        self.service = service
    }

    public var endpoints: RouteCollection<Context> {
        let routes = RouteCollection(context: Context.self)
        routes.get("login") { request, context in try await page("login", context) { try await login(request.queryFields.firstValues) } }
        routes.post("login") { request, context in
            try await page("login", context) { try await login(try await request.formFields().firstValues) }
        }
        routes.post("launch") { request, context in try await page("launch", context) { try await launch(request, context: context) } }
        // Moodle's server fetches the launch URL each time a tool or an activity is saved, to
        // see whether it is a Common Cartridge: an ordinary page tells it no, without a 404.
        routes.get("launch") { _, _ in HTMLPage.launchAddress.response() }
        routes.get("launch/retry") { request, context in try await page("launch", context) { try await retryLaunch(request, context: context) } }
        routes.get("jwks") { _, _ in try await keySet() }
        routes.post("deep-linking") { request, context in try await page("deep-linking", context) { try await deepLinkingChoice(request) } }
        routes.get("register") { request, context in try await page("register", context) { try await register(request, context) } }
        return routes
    }

    /// Counts both outcomes in `labgate_lti_requests_total{step, outcome}` (outcome `accepted`
    /// or the failed check) and logs why a request was refused; the edge words the refusal.
    private func page(_ step: String, _ context: Context, _ body: () async throws -> Response) async throws -> Response {
        do {
            let response = try await body()
            Counter(label: "labgate_lti_requests_total", dimensions: [("step", step), ("outcome", "accepted")]).increment()
            return response
        } catch let error as LTIError {
            Counter(label: "labgate_lti_requests_total", dimensions: [("step", step), ("outcome", error.code)]).increment()
            context.logger.notice("LTI request refused", metadata: ["step": .string(step), "reason": .string(error.reason)])
            throw error
        } catch let error as StoreError where error.isTemporary {
            // A rush that outlasted the wait for a turn or for a database connection: a page
            // in the course's frame, not JSON.
            Counter(label: "labgate_lti_requests_total", dimensions: [("step", step), ("outcome", "busy")]).increment()
            context.logger.warning("LTI request busy", metadata: ["step": .string(step), "reason": .string("\(error)")])
            return HTMLPage.busy(requestID: context.id).response(headers: [.retryAfter: "5"])
        } catch let refusal as LaunchRefusal {
            Counter(label: "labgate_lti_requests_total", dimensions: [("step", step), ("outcome", "not_admitted")]).increment()
            context.logger.notice("lab not admitted", metadata: ["step": .string(step), "reason": .string(refusal.message)])
            throw refusal
        }
    }

    private func login(_ parameters: [String: String]) async throws -> Response {
        let redirect = try await service.login.start(parameters)
        var headers: HTTPFields = [.location: redirect.location]
        headers.append(
            SetCookie(
                name: LoginState.cookieName(redirect.state), value: redirect.state, path: "/lti",
                maxAge: Int(LoginState.lifetime.components.seconds)
            ).field)
        return Response(status: .found, headers: headers)
    }

    private func launch(_ request: Request, context: Context) async throws -> Response {
        let form = try await request.formFields().firstValues
        let now = Date()
        let launch = try await service.validator.validate(
            idToken: form["id_token"], state: form["state"], stateCookie: { request.cookie($0) }, now: now)
        var response = try await admit(launch, attempt: 1, request, context, now: now)
        if let state = form["state"] { response.headers.append(SetCookie.expired(LoginState.cookieName(state), path: "/lti").field) }
        return response
    }

    /// The busy page's own retry: the launch it kept, taken once, tried again.
    private func retryLaunch(_ request: Request, context: Context) async throws -> Response {
        // Only LabGate's own page sends the browser here; another site cannot make it spend the ticket.
        guard !request.isCrossSite(publicURL: service.settings.publicURL), let ticket = request.cookie(PendingLaunch.cookieName),
            let pending = try await PendingLaunch.take(ticket, from: service.ephemeral)
        else { throw LTIError.unknownState }
        return try await admit(pending.launch, attempt: pending.attempt + 1, request, context, now: Date())
    }

    /// Maps a verified launch to LabGate's records and answers where it leads. When LabGate is
    /// too busy to finish, the launch is kept and the page retries it by itself: the student
    /// never has to go back to the course, and no answer in the course's frame is JSON.
    private func admit(_ launch: ValidatedLaunch, attempt: Int, _ request: Request, _ context: Context, now: Date) async throws -> Response {
        let outcome: LaunchOutcome
        let session: LaunchSession
        do {
            (outcome, session) = try await service.mapper.map(
                launch, now: now, sessionLifetime: service.settings.sessionLifetime,
                address: request.clientAddress(context, trustForwardedFor: service.settings.trustForwardedFor), logger: context.logger)
        } catch let error as StoreError where error.isTemporary && attempt < PendingLaunch.maxAttempts {
            // Should keeping it fail too, the plain busy page (in `page`) asks for a click instead.
            let ticket = try await PendingLaunch(launch: launch, attempt: attempt).store(in: service.ephemeral)
            Counter(label: "labgate_lti_requests_total", dimensions: [("step", "launch"), ("outcome", "busy_retrying")]).increment()
            context.logger.warning("launch busy, the browser retries", metadata: ["attempt": .stringConvertible(attempt), "reason": .string("\(error)")])
            let delay = Int.random(in: 3...7)  // spread out, so the retries do not come back as one wave
            let page = HTMLPage.busy(requestID: context.id, retry: (delay, PendingLaunch.retryPath))
            var headers: HTTPFields = [.retryAfter: String(delay)]
            headers.append(
                SetCookie(
                    name: PendingLaunch.cookieName, value: ticket, path: PendingLaunch.cookiePath,
                    maxAge: Int(PendingLaunch.lifetime.components.seconds)
                ).field)
            return page.response(headers: headers)
        }
        context.logger.info(
            "launch accepted",
            metadata: [
                "platform": .string(launch.platform.issuer), "user": .string(session.userID.rawValue),
                "role": .string(launch.role.rawValue), "message": .string(launch.messageType.rawValue), "attempt": .stringConvertible(attempt),
            ])
        // A relaunch rotates the session: the one this browser held before ends.
        let (cookie, csrf) = try await service.web.begin(session, replacing: request, now: now)
        var headers: HTTPFields = [:]
        headers.append(cookie)
        if request.cookie(PendingLaunch.cookieName) != nil {
            headers.append(SetCookie.expired(PendingLaunch.cookieName, path: PendingLaunch.cookiePath).field)
        }
        let page: HTMLPage
        switch outcome {
        case .labRequested(let instance):
            // Post, redirect, get: reloading the waiting page must not post the used id_token again.
            headers[.location] = service.destinations.lab(instance.id)
            return Response(status: .seeOther, headers: headers)
        case .notConfigured(let activity): page = .notConfigured(activity)
        case .teaching(let activity):
            headers[.location] = service.destinations.course(activity.courseID) + "#activity-\(activity.id)"
            return Response(status: .seeOther, headers: headers)
        case .deepLinking(let request, let choices):
            page = .deepLinkingPicker(request, choices: choices, csrf: csrf, coursePage: service.destinations.course(request.courseID))
        }
        return page.response(headers: headers)
    }

    private func keySet() async throws -> Response {
        let set = try await service.toolKeys.publishedKeySet(now: Date())
        // The same bytes from every process, so caches and platforms see one key set.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "max-age=60"],
            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(set))))
    }

    /// The session of this browser, and the form's fields once its CSRF token is checked.
    private func authenticatedForm(_ request: Request) async throws -> (LaunchSession, [String: [String]]) {
        guard let session = try await service.web.session(of: request) else { throw LTIError.sessionRequired }
        let form = try await request.formFields()
        guard service.web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw LTIError.sessionRequired }
        return (session, form)
    }

    private func deepLinkingChoice(_ request: Request) async throws -> Response {
        let (session, form) = try await authenticatedForm(request)
        guard let id = form["request"]?.first, let pending = try await DeepLinkingRequest.load(id, from: service.ephemeral),
            pending.userID == session.userID
        else { throw LTIError.notFound("pending request to add an activity") }
        let names = form["environment"] ?? []
        guard !names.isEmpty, pending.acceptMultiple || names.count == 1 else {
            throw LTIError.invalidChoice(pending.acceptMultiple ? "choose at least one environment" : "choose one environment")
        }
        var chosen: [LabCore.Environment] = []
        for name in names {
            guard let environment = try await service.repositories.environments.find(name: name) else {
                throw LTIError.invalidChoice("there is no environment named \(name)")
            }
            chosen.append(environment)
        }
        // Each activity exists from now on (on the course page, preparable); its first launch binds Moodle's link to it.
        var items: [(environment: LabCore.Environment, activity: Activity)] = []
        for environment in chosen {
            let activity = try await service.repositories.courses.upsertActivity(
                .awaitingLaunch(courseID: pending.courseID, title: environment.title, environmentID: environment.id))
            items.append((environment, activity))
        }
        let now = Date()
        let token = try DeepLinkingResponse(request: pending, items: items, launchURL: service.settings.launchURL, now: now)
            .signed(with: try await service.toolKeys.signingKey(now: now))
        try await service.ephemeral.delete(DeepLinkingRequest.storeKey(id))
        // Checked at launch; checked again because the stored request is read back from the ephemeral store.
        let returnURL: BrowserURL
        do {
            returnURL = try BrowserURL(pending.returnURL, allowInsecureLoopback: service.settings.allowInsecureLoopback)
        } catch {
            throw LTIError.unsafeReturnURL(error)
        }
        return HTMLPage.autoPost(title: "Returning to your course", action: returnURL, fields: [("JWT", token)]).response()
    }

    private func register(_ request: Request, _ context: Context) async throws -> Response {
        let query = request.queryFields.firstValues
        guard let configurationURL = query["openid_configuration"], !configurationURL.isEmpty else {
            throw LTIError.missingParameter("openid_configuration")
        }
        let outcome = try await service.dynamicRegistration.register(
            configurationURL: configurationURL, token: query["registration_token"], invitation: query[PlatformInvitations.parameter],
            from: request.clientAddress(context, trustForwardedFor: service.settings.trustForwardedFor), now: Date())
        return HTMLPage.registered(outcome).response()
    }
}
