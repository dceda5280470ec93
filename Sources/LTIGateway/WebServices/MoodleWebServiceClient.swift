import Foundation
import NIOCore

/// Moodle's REST protocol: one form POST to `{site}/webservice/rest/server.php` per
/// function, with `wstoken`, `wsfunction` and `moodlewsrestformat=json`. Moodle answers
/// errors with HTTP 200 and a JSON object holding `exception`, so every answer is read for one.
struct MoodleWebServiceClient: Sendable {
    let http: OutboundHTTP

    static let endpoint = "/webservice/rest/server.php"

    /// Calls `function` on the site and decodes its answer as `T`.
    func call<T: Decodable>(
        _ function: String, _ parameters: MoodleParameters = MoodleParameters(), site: String, token: String, as type: T.Type
    ) async throws(MoodleWebServiceError) -> T {
        var form = MoodleParameters()
        form.set("wstoken", token)
        form.set("wsfunction", function)
        form.set("moodlewsrestformat", "json")
        let body = form.formEncoded + (parameters.pairs.isEmpty ? "" : "&" + parameters.formEncoded)
        let answer: OutboundHTTP.Answer
        do {
            answer = try await http.exchange(
                .POST, Self.url(site), headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: ByteBuffer(string: body), checkAddresses: false)
        } catch {
            throw .unavailable("\(function): \(error)")
        }
        guard (200..<300).contains(answer.status) else { throw .unavailable("\(function) answered HTTP \(answer.status)") }
        let data = Data(buffer: answer.body)
        if let failure = try? JSONDecoder().decode(Failure.self, from: data) {
            throw .moodle(errorcode: failure.errorcode ?? "unknown", message: failure.message ?? failure.exception)
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .unavailable("\(function) answered what is not the JSON Moodle declares for it")
        }
    }

    /// The endpoint below the site's wwwroot (a site under /moodle answers at /moodle/webservice/…).
    static func url(_ site: String) -> String {
        (site.hasSuffix("/") ? String(site.dropLast()) : site) + endpoint
    }

    /// Moodle's error object.
    private struct Failure: Decodable {
        var exception: String
        var errorcode: String?
        var message: String?
    }
}
