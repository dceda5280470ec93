import Crypto
import Foundation
import LabCore
import WebEncoding
import WebSupport

/// Invitations to register a platform: an admin hands the platform's admin a registration
/// URL that carries one, and the registration made with it is active at once. The secret
/// travels in the query (which LabGate never logs), works once and expires.
public struct PlatformInvitations: Sendable {
    let repository: any PlatformInvitationRepository

    /// The query parameter of the registration URL that carries the secret.
    static let parameter = "invitation"
    /// What an invitation's lifetime may be.
    public static let lifetimes = Duration.seconds(3600)...Duration.seconds(30 * 86_400)

    public init(repository: any PlatformInvitationRepository) {
        self.repository = repository
    }

    /// A new invitation: the registration URL to hand out (shown once) and when it expires.
    public func invite(registrationURL: String, lifetime: Duration, now: Date) async throws -> (url: String, expiresAt: Date) {
        let secret = RandomToken.make()
        let expiresAt = now + lifetime.timeInterval
        try await repository.insert(PlatformInvitation(secretHash: Self.hash(secret), createdAt: now, expiresAt: expiresAt))
        return (registrationURL + "?\(Self.parameter)=" + secret, expiresAt)
    }

    /// The open invitation `secret` names, if any.
    func open(_ secret: String?, at now: Date) async throws -> PlatformInvitation? {
        guard let secret, !secret.isEmpty, let invitation = try await repository.find(secretHash: Self.hash(secret)) else { return nil }
        return invitation.isOpen(at: now) ? invitation : nil
    }

    /// Uses the invitation for `issuer`; false if another registration used it first or it expired.
    func redeem(_ invitation: PlatformInvitation, by issuer: String, at now: Date) async throws -> Bool {
        try await repository.redeem(secretHash: invitation.secretHash, by: issuer, at: now)
    }

    static func hash(_ secret: String) -> String {
        Array(SHA256.hash(data: Array(secret.utf8))).hexEncodedString()
    }
}
