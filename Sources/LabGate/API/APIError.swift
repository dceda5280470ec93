import Foundation
import Hummingbird
import LabCore
import WebSupport

/// The admin API's refusals are `Refusal`s, answered in its one JSON shape.
package typealias APIError = Refusal

extension Refusal {
    static let unauthenticated = Refusal(
        status: .unauthorized, code: "unauthenticated",
        message: "Send a valid, unexpired API token as \"Authorization: Bearer <token>\" (labgate token create).")
    static func forbidden(_ needed: APIToken.Scope) -> Refusal {
        Refusal(status: .forbidden, code: "forbidden", message: "This needs a token with scope \(needed.rawValue).", details: ["scope": needed.rawValue])
    }
    static func notFound(_ what: String) -> Refusal {
        Refusal(status: .notFound, code: "not_found", message: "There is no \(what).")
    }
    static let noCluster = Refusal(status: .serviceUnavailable, code: "unavailable", message: "No Proxmox cluster is wired to this process.")
    static func invalid(_ field: String, _ message: String) -> Refusal {
        Refusal(status: .badRequest, code: "invalid_parameter", message: message, details: ["field": field])
    }

    /// A 405 in the API's shape, with `Allow` naming the methods that are answered.
    static func methodNotAllowed(_ message: String, allow: String) -> Response {
        var response = Refusal(status: .methodNotAllowed, code: "method_not_allowed", message: message).apiResponse()
        response.headers[.allow] = allow
        return response
    }

    /// The API's shape: `{"error": code, "message": text, "details": {…}}`.
    func apiResponse() -> Response {
        let body: [String: AnyEncodable] = ["error": .init(code), "message": .init(message), "details": .init(details)]
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="labgate""# }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: (try? JSONEncoder().encode(body)) ?? Data())))
    }
}

/// An encodable of any kind, for bodies of mixed values.
struct AnyEncodable: Encodable {
    private let encodeValue: (any Encoder) throws -> Void
    init(_ value: some Encodable) { encodeValue = value.encode }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
