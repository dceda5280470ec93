import Hummingbird
import LTIGateway
import WebSupport

/// `POST /logout`: ends the browser's session at once, for students and teachers alike.
struct LogoutController<Context: RequestContext>: Sendable {
    /// The browser's session, its forms' tokens and window passes.
    let web: WebSessions

    var endpoints: RouteCollection<Context> {
        let collection = RouteCollection(context: Context.self)
        collection.post("/logout") { request, _ in try await logout(request) }
        return collection
    }

    private func logout(_ request: Request) async throws -> Response {
        guard let session = try await web.session(of: request) else { throw LabPageError.sessionRequired }
        let form = try await request.formFields()
        guard web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw LabPageError.staleForm }
        let forget = try await web.logout(session)
        return HTMLPage.loggedOut.response(headers: [forget.name: forget.value])
    }
}
