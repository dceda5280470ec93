import Foundation
import Hummingbird
import LTIGateway
import LabCore
import Provisioning

/// The one error shape of the admin API: `{"error": code, "message": text, "details": {…}}`.
struct APIError: Error, Equatable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [String: String] = [:]

    static let unauthenticated = APIError(
        status: .unauthorized, code: "unauthenticated",
        message: "Send a valid, unexpired API token as \"Authorization: Bearer <token>\" (labgate token create).")
    static func forbidden(_ needed: APIToken.Scope) -> APIError {
        APIError(status: .forbidden, code: "forbidden", message: "This needs a token with scope \(needed.rawValue).",
                 details: ["scope": needed.rawValue])
    }
    static func notFound(_ what: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "There is no \(what).")
    }
    static let noCluster = APIError(status: .serviceUnavailable, code: "unavailable", message: "No Proxmox cluster is wired to this process.")
    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_parameter", message: message, details: ["field": field])
    }

    /// The API's answer to what provisioning or storage refused; nil for the unexpected.
    init?(_ error: any Error) {
        switch error {
        case let error as APIError: self = error
        case AdminError.notFound(let what): self = .notFound(what)
        case AdminError.invalid(let field, let message):
            self.init(status: .unprocessableContent, code: "invalid_field", message: Self.sentence(message), details: ["field": field])
        case AdminError.duplicate(let what): self.init(status: .conflict, code: "conflict", message: Self.sentence(AdminError.duplicate(what).description))
        case ProvisioningError.notAllowed(let operation, let state):
            self.init(status: .conflict, code: "not_allowed", message: "Cannot \(operation) a lab instance that is \(state).",
                      details: ["state": state])
        case ProvisioningError.unknownInstance(let id): self = .notFound("lab instance \(id)")
        case ProvisioningError.invalidEnvironment(let name, let problems):
            self.init(
                status: .unprocessableContent, code: "invalid_environment", message: "Environment \(name) cannot work: \(problems.joined(separator: "; ")).",
                details: ["problems": problems.joined(separator: "\n")])
        case let error as ProxmoxError: self.init(status: .badGateway, code: "proxmox_unavailable", message: "Proxmox did not answer as expected: \(error)")
        case let refusal as LaunchRefusal:
            if case .closed = refusal { self.init(status: refusal.status, code: "closed", message: refusal.message) }
            else { self.init(status: refusal.status, code: "quota_exceeded", message: refusal.message) }
        case StoreError.conflict(let what): self.init(status: .conflict, code: "conflict", message: "\(what).")
        case StoreError.unavailable(let component, _):
            self.init(status: .serviceUnavailable, code: "unavailable", message: "The \(component) is unavailable right now; try again shortly.")
        case StoreError.retryable: self.init(status: .serviceUnavailable, code: "busy", message: "LabGate is busy; try again shortly.")
        default: return nil
        }
    }

    init(status: HTTPResponse.Status, code: String, message: String, details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    /// The CLI's lower-case words as a sentence.
    private static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst() + "."
    }

    func response() -> Response {
        let body: [String: AnyEncodable] = ["error": .init(code), "message": .init(message), "details": .init(details)]
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="labgate""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data())))
    }
}

/// An encodable of any kind, for bodies of mixed values.
struct AnyEncodable: Encodable {
    private let encodeValue: (any Encoder) throws -> Void
    init(_ value: some Encodable) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
