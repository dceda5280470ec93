import Foundation
import LabCore

/// Invitations to register a platform, in MariaDB or SQLite.
struct SQLPlatformInvitationRepository: PlatformInvitationRepository {
    let database: any SQLDatabase

    func insert(_ invitation: PlatformInvitation) async throws {
        try await database.execute(
            "INSERT INTO platform_invitations (secret_hash, created_at, expires_at, used_at, used_by) VALUES (?, ?, ?, ?, ?)",
            [.text(invitation.secretHash), .time(invitation.createdAt), .time(invitation.expiresAt), .time(invitation.usedAt), .text(invitation.usedBy)])
    }

    func find(secretHash: String) async throws -> PlatformInvitation? {
        try await database.query(
            "SELECT secret_hash, created_at, expires_at, used_at, used_by FROM platform_invitations WHERE secret_hash = ?", .text(secretHash)
        ).first.map { row in
            PlatformInvitation(
                secretHash: try row.string("secret_hash"), createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"),
                usedAt: row.optionalDate("used_at"), usedBy: row.optionalString("used_by"))
        }
    }

    func redeem(secretHash: String, by issuer: String, at date: Date) async throws -> Bool {
        // One statement, so two registrations racing with one invitation cannot both use it.
        try await database.execute(
            "UPDATE platform_invitations SET used_at = ?, used_by = ? WHERE secret_hash = ? AND used_at IS NULL AND expires_at > ?",
            .time(date), .text(issuer), .text(secretHash), .time(date)) == 1
    }
}
