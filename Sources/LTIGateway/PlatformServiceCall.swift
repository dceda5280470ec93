import Foundation
import LabCore
import NIOCore
import NIOHTTP1

/// One call to a platform's LTI Advantage service (grades, roster) with a token for its
/// scope: a 401 gets a new token once; 5xx and an unreachable platform are failures for now,
/// other refusals are for good, in the platform's words.
struct PlatformServiceCall: Sendable {
    let http: OutboundHTTP
    let tokens: ServiceTokens

    /// - Parameter service: the service's name in messages ("gradebook", "roster").
    func callAsFunction(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)], body: ByteBuffer? = nil, scope: String, service: String, platform: Platform,
        now: Date
    ) async throws(ServiceError) -> OutboundHTTP.Answer {
        for attempt in 1...2 {
            let token = try await tokens.token(for: platform, scopes: [scope], now: now)
            guard token.scopes.contains(scope) else { throw .notGranted(scope: scope) }
            let answer: OutboundHTTP.Answer
            do {
                answer = try await http.exchange(
                    method, url, headers: [("Authorization", "Bearer \(token.value)")] + headers, body: body, checkAddresses: false)
            } catch {
                throw .unavailable("the platform's \(service) \(error)")
            }
            switch answer.status {
            case 200..<300: return answer
            case 401 where attempt == 1: tokens.forget(platform: platform, scopes: [scope])
            case 500...: throw .unavailable("the platform's \(service) answered \(answer.status): \(ServiceError.words(of: answer))")
            default: throw .refused(status: answer.status, words: ServiceError.words(of: answer))
            }
        }
        throw .refused(status: 401, words: "the platform refused LabGate's service token twice")
    }
}
