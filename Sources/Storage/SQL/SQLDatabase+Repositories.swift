import LabCore

extension SQLDatabase {
    /// Every repository, on this database.
    public func repositories() -> Repositories {
        Repositories(
            platforms: SQLPlatformRepository(database: self), users: SQLUserRepository(database: self),
            courses: SQLCourseRepository(database: self), environments: SQLEnvironmentRepository(database: self),
            instances: SQLLabInstanceRepository(database: self), audit: SQLAuditLog(database: self),
            jobs: SQLJobLedger(database: self), toolKeys: SQLToolKeyRepository(database: self),
            launchSnapshots: SQLLaunchSnapshotRepository(database: self), reservations: SQLResourceReservations(database: self),
            apiTokens: SQLAPITokenRepository(database: self), quotas: SQLQuotaRepository(database: self)
        )
    }
}
