import Crypto
import Foundation
import Hummingbird
import LabCore
import WebEncoding

/// Makes and checks the admin API's bearer tokens. A token reads `lgt_<id>_<secret>`: the id
/// finds the stored token, the secret (256 random bits) is kept only as its SHA-256, so a
/// copy of the database opens nothing. It is shown once, when it is made.
struct APITokens: Sendable {
    let repository: any APITokenRepository

    static let prefix = "lgt_"

    /// A new token and the bearer value to hand to its user.
    func create(name: String, scope: APIToken.Scope, lifetime: Duration?, now: Date) async throws -> (token: APIToken, bearer: String) {
        let secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64URLEncodedString()
        let token = APIToken(
            name: name, scope: scope, secretHash: Self.hash(secret), createdAt: now,
            expiresAt: lifetime.map { now.addingTimeInterval($0.timeInterval) })
        try await repository.insert(token)
        return (token, "\(Self.prefix)\(token.id)_\(secret)")
    }

    /// The token a bearer value stands for, if it is genuine, not revoked and not expired.
    func authenticate(_ bearer: String, now: Date) async throws -> APIToken? {
        guard bearer.hasPrefix(Self.prefix), bearer.utf8.count <= 200 else { return nil }
        let parts = bearer.dropFirst(Self.prefix.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let token = try await repository.find(id: APITokenID(String(parts[0]))) else { return nil }
        // Compared in constant time: the hash must not leak through timing.
        let expected = Array(token.secretHash.utf8)
        let given = Array(Self.hash(String(parts[1])).utf8)
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return nil }
        return token.isValid(at: now) ? token : nil
    }

    static func hash(_ secret: String) -> String {
        Array(SHA256.hash(data: Array(secret.utf8))).hexEncodedString()
    }
}

extension Request {
    /// The credentials of `Authorization: Bearer <token>`, the scheme in any case (RFC 9110 §11.1).
    var bearerToken: String? {
        guard let header = headers[.authorization], let space = header.firstIndex(of: " "),
            header[..<space].lowercased() == "bearer"
        else { return nil }
        let token = header[space...].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
