import Foundation
import JOSE
import LabCore
import NIOConcurrencyHelpers
import NIOCore
import WebEncoding
import WebSupport

/// Access tokens for a platform's LTI Advantage services: OAuth 2 client credentials with a
/// JWT client assertion signed by the tool's key (1EdTech Security Framework §4.1). A token
/// is kept until a minute before it expires: Moodle issues them for an hour and writes a
/// database row for every one.
public final class ServiceTokens: Sendable {
    /// A token and what the platform granted with it.
    public struct Token: Sendable {
        public var value: String
        /// The scopes granted: a platform may grant fewer than asked.
        public var scopes: Set<String>
        var expiresAt: Date
    }

    private let http: OutboundHTTP
    private let toolKeys: ToolKeyRing
    private let cache = NIOLockedValueBox<[String: Token]>([:])
    /// Requests on their way, so callers who miss the cache at once share one request.
    private let inFlight = NIOLockedValueBox<[String: Task<Token, any Error>]>([:])

    init(http: OutboundHTTP, toolKeys: ToolKeyRing) {
        self.http = http
        self.toolKeys = toolKeys
    }

    /// A token of `platform` for `scopes`, from the cache while it has more than a minute left.
    func token(for platform: Platform, scopes: Set<String>, now: Date) async throws(ServiceError) -> Token {
        let key = Self.key(platform, scopes)
        if let cached = cache.withLockedValue({ $0[key] }), cached.expiresAt > now + 60 { return cached }
        let task = inFlight.withLockedValue { running in
            if let task = running[key] { return task }
            let task = Task<Token, any Error> {
                defer { _ = self.inFlight.withLockedValue { $0.removeValue(forKey: key) } }
                let token = try await self.request(platform, scopes: scopes, now: now)
                self.cache.withLockedValue { $0[key] = token }
                return token
            }
            running[key] = task
            return task
        }
        do {
            return try await task.value
        } catch let error as ServiceError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// Forgets the token, after the platform refused it (401): the next call asks for a new one.
    func forget(platform: Platform, scopes: Set<String>) {
        _ = cache.withLockedValue { $0.removeValue(forKey: Self.key(platform, scopes)) }
    }

    private static func key(_ platform: Platform, _ scopes: Set<String>) -> String {
        ([platform.id.rawValue] + scopes.sorted()).joined(separator: " ")
    }

    private struct Answer: Decodable {
        var accessToken: String
        var expiresIn: Double?
        var scope: String?

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case scope
        }
    }

    private func request(_ platform: Platform, scopes: Set<String>, now: Date) async throws(ServiceError) -> Token {
        let assertion: String
        do {
            assertion = try Self.assertion(for: platform, key: try await toolKeys.signingKey(now: now), now: now)
        } catch {
            throw .unavailable("the tool's signing key could not be read: \(error)")
        }
        let form = FormURLEncoding.encode([
            ("grant_type", "client_credentials"), ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion), ("scope", scopes.sorted().joined(separator: " ")),
        ])
        let answer: OutboundHTTP.Answer
        do {
            answer = try await http.exchange(
                .POST, platform.tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                body: ByteBuffer(string: form), checkAddresses: false)
        } catch {
            throw .unavailable("the platform's token endpoint \(error)")
        }
        guard (200..<300).contains(answer.status) else {
            let words = ServiceError.words(of: answer)
            if answer.status >= 500 { throw .unavailable("the platform's token endpoint answered \(answer.status): \(words)") }
            throw .refused(status: answer.status, words: "the platform refused a service token: \(words)")
        }
        guard let token = try? JSONDecoder().decode(Answer.self, from: answer.body), !token.accessToken.isEmpty else {
            throw .unavailable("the platform's token endpoint answered something that is not a token")
        }
        // No `scope` in the answer means the scopes asked for (RFC 6749 §5.1).
        let granted = token.scope.map { Set($0.split(separator: " ").map(String.init)) } ?? scopes
        return Token(value: token.accessToken, scopes: granted, expiresAt: now + min(token.expiresIn ?? 3600, 86_400))
    }

    /// The client assertion's claims: `iss` = `sub` = the client id, `aud` = the token URL,
    /// five minutes at most, a unique `jti`.
    struct Assertion: Codable {
        var iss: String
        var sub: String
        var aud: String
        var iat: Int
        var exp: Int
        var jti: String
    }

    static func assertion(for platform: Platform, key: RSASigningKey, now: Date) throws -> String {
        let iat = Int(now.timeIntervalSince1970)
        let claims = Assertion(iss: platform.clientID, sub: platform.clientID, aud: platform.tokenURL, iat: iat, exp: iat + 300, jti: RandomToken.make())
        return try CompactJWS.sign(payload: try JSONEncoder().encode(claims), with: key)
    }
}
