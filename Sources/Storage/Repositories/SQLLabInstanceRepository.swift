import Foundation
import LabCore

/// Lab instances and their steps in MariaDB or SQLite.
struct SQLLabInstanceRepository: LabInstanceRepository {
    /// The database, or one transaction's connection (`SQLAdmissionGates`).
    let database: any SQLExecutor
    /// Seals the guest password; nil keeps it in clear (tests of the storage alone).
    let sealing: (any AtRestSealing)?

    static let columns =
        "id, user_id, environment_id, course_id, state, failure_reason, vmid, companion_vmids, node, address, expires_at, guest_password, cores, memory_mib, version, created_at, updated_at, pause_reason, prepared_for, spare"

    func findOrCreate(_ candidate: LabInstance) async throws -> (instance: LabInstance, created: Bool) {
        let liveKey = Self.liveKey(candidate)
        do {
            try await database.execute(
                "INSERT INTO lab_instances (\(Self.columns), live_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                try values(candidate) + [.text(liveKey)])
            return (candidate, true)
        } catch StoreError.duplicate {
            // The user has a live instance of this environment already (a double click, say).
            guard
                let existing = try await database.query(
                    "SELECT \(Self.columns) FROM lab_instances WHERE live_key = ?", .text(liveKey)
                ).first
            else {
                // It was deleted between our insert and this read; the caller may simply ask again.
                throw StoreError.retryable("the lab instance changed while it was being looked up")
            }
            return (try instance(existing), false)
        } catch StoreError.conflict {
            throw StoreError.conflict("no user \(candidate.userID) or environment \(candidate.environmentID) for a lab instance")
        }
    }

    func find(id: LabInstanceID) async throws -> LabInstance? {
        try await database.query("SELECT \(Self.columns) FROM lab_instances WHERE id = ?", .text(id.rawValue))
            .first.map(instance)
    }

    func save(_ instance: LabInstance) async throws -> LabInstance {
        var saved = instance
        saved.version += 1
        let matched = try await database.execute(
            """
            UPDATE lab_instances SET state = ?, failure_reason = ?, vmid = ?, companion_vmids = ?, node = ?, address = ?, expires_at = ?,
                guest_password = ?, version = ?,
                updated_at = ?, live_key = ?, pause_reason = ?, prepared_for = ?
            WHERE id = ? AND version = ?
            """,
            [
                .text(saved.state.rawValue), .text(saved.failureReason), .int(saved.vmid), Self.companions(saved), .text(saved.node), .text(saved.address),
                .time(saved.expiresAt), .text(try sealed(saved.guestPassword)), .int(saved.version), .time(saved.updatedAt),
                saved.state.isLive ? .text(Self.liveKey(saved)) : .null, .text(saved.pauseReason), .text(saved.preparedFor?.rawValue),
                .text(saved.id.rawValue), .int(instance.version),
            ]
        )
        guard matched == 1 else {
            throw StoreError.conflict("lab instance \(instance.id) was changed by someone else (or is gone); reload it")
        }
        return saved
    }

    func list(states: Set<LabInstanceState>, limit: Int) async throws -> [LabInstance] {
        guard !states.isEmpty else { return [] }
        let (condition, values) = Self.inStates(states)
        return try await database.query(
            "SELECT \(Self.columns) FROM lab_instances WHERE \(condition) ORDER BY created_at, id LIMIT ?", values + [.int(limit)]
        ).map(instance)
    }

    func page(states: Set<LabInstanceState>, after: LabInstanceID?, limit: Int) async throws -> [LabInstance] {
        guard !states.isEmpty else { return [] }
        let (condition, values) = Self.inStates(states)
        return try await database.query(
            "SELECT \(Self.columns) FROM lab_instances WHERE \(condition) AND id > ? ORDER BY id LIMIT ?",
            values + [.text(after?.rawValue ?? ""), .int(limit)]
        ).map(instance)
    }

    /// `state IN (?, …)` and its values, in a stable order so the prepared statement is reused.
    private static func inStates(_ states: Set<LabInstanceState>) -> (String, [SQLValue]) {
        let sorted = states.map(\.rawValue).sorted()
        return ("state IN (\(Array(repeating: "?", count: sorted.count).joined(separator: ", ")))", sorted.map { .text($0) })
    }

    func list(courseID: CourseID) async throws -> [LabInstance] {
        try await database.query(
            "SELECT \(Self.columns) FROM lab_instances WHERE course_id = ? AND live_key IS NOT NULL ORDER BY created_at, id",
            .text(courseID.rawValue)
        ).map(instance)
    }

    func usage(of scope: UsageScope) async throws -> ResourceUsage {
        let (condition, values) = scope.condition()
        let row = try await database.query(
            "SELECT COUNT(*) AS instances, COALESCE(SUM(cores), 0) AS cores, COALESCE(SUM(memory_mib), 0) AS memory FROM lab_instances WHERE live_key IS NOT NULL\(condition)",
            values
        ).first
        return ResourceUsage(instances: try row?.int("instances") ?? 0, cores: try row?.int("cores") ?? 0, memoryMiB: try row?.int("memory") ?? 0)
    }

    func list(userID: UserID) async throws -> [LabInstance] {
        try await database.query(
            "SELECT \(Self.columns) FROM lab_instances WHERE user_id = ? ORDER BY created_at, id", .text(userID.rawValue)
        ).map(instance)
    }

    func claimSpare(environmentID: EnvironmentID, courseID: CourseID, for userID: UserID, at now: Date) async throws -> LabInstance? {
        let ready = LabInstanceState.ready.rawValue
        // Each round some claimer wins each spare it read, so the rounds end; the spares are
        // read in a random order so that a crowd does not fight over the oldest one.
        for _ in 0..<Self.claimRounds {
            let candidates = try await database.query(
                "SELECT id FROM lab_instances WHERE spare = 1 AND state = ? AND environment_id = ? AND course_id = ? LIMIT 32",
                .text(ready), .text(environmentID.rawValue), .text(courseID.rawValue)
            ).map { try $0.string("id") }.shuffled()
            guard !candidates.isEmpty else { return nil }
            for id in candidates {
                let matched: Int
                do {
                    matched = try await database.execute(
                        """
                        UPDATE lab_instances SET user_id = ?, spare = 0, prepared_for = NULL, state = ?, live_key = ?, version = version + 1, updated_at = ?
                        WHERE id = ? AND spare = 1 AND state = ?
                        """,
                        .text(userID.rawValue), .text(LabInstanceState.claiming.rawValue), .text(Self.liveKey(userID, environmentID)), .time(now),
                        .text(id), .text(ready))
                } catch StoreError.duplicate {
                    return nil  // the student has a live lab of this environment already
                }
                if matched == 1 { return try await find(id: LabInstanceID(id)) }
            }
        }
        return nil
    }

    private static let claimRounds = 50

    func list(preparedFor session: ClassSessionID) async throws -> [LabInstance] {
        try await database.query(
            "SELECT \(Self.columns) FROM lab_instances WHERE prepared_for = ? AND live_key IS NOT NULL ORDER BY created_at, id", .text(session.rawValue)
        ).map(instance)
    }

    func recentDurations(ofStep name: String, limit: Int) async throws -> [TimeInterval] {
        try await database.query(
            "SELECT started_at, finished_at FROM lab_instance_steps WHERE name = ? AND outcome = ? AND finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT ?",
            .text(name), .text(LabInstanceStep.Outcome.succeeded.rawValue), .int(limit)
        ).map { row in try row.date("finished_at").timeIntervalSince(try row.date("started_at")) }
    }

    func record(_ step: LabInstanceStep) async throws {
        let values: [SQLValue] = [
            .int(step.attempt), .text(step.outcome.rawValue), .text(step.reference), .text(step.error),
            .time(step.startedAt), .time(step.finishedAt), .text(step.earlierAttempts.isEmpty ? nil : step.earlierAttempts.joined(separator: "\n")),
            .text(step.instanceID.rawValue), .text(step.name),
        ]
        let updated = try await database.execute(Self.updateStep, values)
        guard updated == 0 else { return }
        do {
            try await database.execute(
                """
                INSERT INTO lab_instance_steps (attempt, outcome, reference, error, started_at, finished_at, earlier_attempts, instance_id, name)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, values)
        } catch StoreError.duplicate {
            // Another worker recorded the step between our update and insert; ours is newer.
            try await database.execute(Self.updateStep, values)
        } catch StoreError.conflict {
            throw StoreError.conflict("no lab instance \(step.instanceID) to record step \(step.name) for")
        }
    }

    func steps(of instanceID: LabInstanceID) async throws -> [LabInstanceStep] {
        try await database.query(
            """
            SELECT instance_id, name, attempt, outcome, reference, error, started_at, finished_at, earlier_attempts
            FROM lab_instance_steps WHERE instance_id = ? ORDER BY started_at, name
            """, .text(instanceID.rawValue)
        ).map { row in
            LabInstanceStep(
                instanceID: try row.id("instance_id"), name: try row.string("name"), attempt: try row.int("attempt"),
                outcome: try row.enumeration("outcome"), reference: row.optionalString("reference"),
                error: row.optionalString("error"), startedAt: try row.date("started_at"), finishedAt: row.optionalDate("finished_at"),
                earlierAttempts: row.optionalString("earlier_attempts")?.split(separator: "\n").map(String.init) ?? []
            )
        }
    }

    private static let updateStep = """
        UPDATE lab_instance_steps SET attempt = ?, outcome = ?, reference = ?, error = ?, started_at = ?, finished_at = ?, earlier_attempts = ?
        WHERE instance_id = ? AND name = ?
        """

    /// A spare's key is its own (a course has many); a student's allows one lab per environment.
    private static func liveKey(_ instance: LabInstance) -> String {
        instance.isSpare ? "spare/\(instance.id.rawValue)" : liveKey(instance.userID, instance.environmentID)
    }

    private static func liveKey(_ user: UserID, _ environment: EnvironmentID) -> String {
        "\(user.rawValue)/\(environment.rawValue)"
    }

    /// The further VMIDs as `101,102`, or NULL when there are none.
    private static func companions(_ instance: LabInstance) -> SQLValue {
        instance.companionVMIDs.isEmpty ? .null : .text(instance.companionVMIDs.map(String.init).joined(separator: ","))
    }

    private func values(_ instance: LabInstance) throws -> [SQLValue] {
        [
            .text(instance.id.rawValue), .text(instance.userID.rawValue), .text(instance.environmentID.rawValue), .text(instance.courseID?.rawValue),
            .text(instance.state.rawValue), .text(instance.failureReason), .int(instance.vmid), Self.companions(instance), .text(instance.node),
            .text(instance.address), .time(instance.expiresAt),
            .text(try sealed(instance.guestPassword)), .int(instance.cores), .int(instance.memoryMiB), .int(instance.version), .time(instance.createdAt),
            .time(instance.updatedAt), .text(instance.pauseReason), .text(instance.preparedFor?.rawValue), .int(instance.isSpare ? 1 : 0),
        ]
    }

    private func sealed(_ password: String?) throws -> String? {
        guard let password, let sealing else { return password }
        return try sealing.seal(password)
    }

    /// A row written before passwords were sealed holds one in clear; it is sealed when next saved.
    private func opened(_ stored: String?) throws -> String? {
        guard let stored, let sealing, stored.hasPrefix(Self.sealedPrefix) else { return stored }
        do {
            return try sealing.open(stored)
        } catch {
            throw StoreError.failed("a guest password cannot be opened: it was sealed under another secret key (security.secretKey), or altered")
        }
    }

    static let sealedPrefix = "v1:"

    func instance(_ row: SQLRow) throws -> LabInstance {
        LabInstance(
            id: try row.id("id"), userID: try row.id("user_id"), environmentID: try row.id("environment_id"),
            courseID: row.optionalString("course_id").map(CourseID.init),
            state: try row.enumeration("state"), failureReason: row.optionalString("failure_reason"), vmid: row.optionalInt("vmid"),
            companionVMIDs: row.optionalString("companion_vmids").map { $0.split(separator: ",").compactMap { Int($0) } } ?? [],
            node: row.optionalString("node"), address: row.optionalString("address"), expiresAt: row.optionalDate("expires_at"),
            guestPassword: try opened(row.optionalString("guest_password")),
            cores: try row.int("cores"), memoryMiB: try row.int("memory_mib"), version: try row.int("version"),
            createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"), pauseReason: row.optionalString("pause_reason"),
            preparedFor: row.optionalString("prepared_for").map(ClassSessionID.init), isSpare: try row.int("spare") != 0
        )
    }
}
