import LabCore

extension SQLDatabase {
    /// Every repository, on this database; `sealing` seals the guest passwords at rest.
    public func repositories(sealing: (any AtRestSealing)? = nil) -> Repositories {
        let instances = SQLLabInstanceRepository(database: self, sealing: sealing)
        return Repositories(
            platforms: SQLPlatformRepository(database: self), users: SQLUserRepository(database: self),
            courses: SQLCourseRepository(database: self), environments: SQLEnvironmentRepository(database: self),
            instances: instances, audit: SQLAuditLog(database: self),
            jobs: SQLJobLedger(database: self), toolKeys: SQLToolKeyRepository(database: self),
            launchSnapshots: SQLLaunchSnapshotRepository(database: self, instances: instances), reservations: SQLResourceReservations(database: self),
            apiTokens: SQLAPITokenRepository(database: self), quotas: SQLQuotaRepository(database: self),
            invitations: SQLPlatformInvitationRepository(database: self), grades: SQLGradeRepository(database: self),
            enrolments: SQLEnrolmentRepository(database: self), checkRuns: SQLCheckRunRepository(database: self),
            webServices: SQLWebServiceAccessRepository(database: self), checkpoints: SQLLabCheckpointRepository(database: self),
            classSessions: SQLClassSessionRepository(database: self), fencingTokens: SQLFencingTokens(database: self),
            admissionGates: SQLAdmissionGates(database: self, sealing: sealing)
        )
    }
}
