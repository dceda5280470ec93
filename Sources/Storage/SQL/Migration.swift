/// One versioned change of the relational schema. Its statements must be safe to run
/// again (`IF NOT EXISTS`), because MariaDB commits DDL as it goes: a migration cut off
/// half-way is simply run again.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: @Sendable (SQLDialect) -> [String]
}

extension Migration {
    /// Every migration, oldest first. Append; never edit one that has shipped.
    static let all: [Migration] = [
        initialSchema, launchSupport, provisioning, guacamole, apiTokens, teaching, stepHistory, platformInvitations,
        oneClassPerIssuer, grades, rosters, checkRuns, webServiceAccess, checkpoints, idlePausing, classSessions,
        fencingTokens, admissionGates,
    ]
}
