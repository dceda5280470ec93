extension Migration {
    /// Platforms, deployments, users, courses, activities, environments, lab instances and
    /// their steps, jobs and the audit trail. Times are milliseconds since 1970 (BIGINT).
    static let initialSchema = Migration(version: 1, name: "initial schema") { dialect in
        let options = dialect.tableOptions
        return [
            """
            CREATE TABLE IF NOT EXISTS platforms (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                issuer VARCHAR(255) NOT NULL,
                client_id VARCHAR(255) NOT NULL,
                auth_url TEXT NOT NULL,
                token_url TEXT NOT NULL,
                jwks_url TEXT NOT NULL,
                status VARCHAR(16) NOT NULL,
                created_at BIGINT NOT NULL,
                UNIQUE (issuer, client_id)
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS deployments (
                platform_id VARCHAR(64) NOT NULL,
                deployment_id VARCHAR(255) NOT NULL,
                PRIMARY KEY (platform_id, deployment_id),
                FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS users (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                platform_id VARCHAR(64) NOT NULL,
                subject VARCHAR(255) NOT NULL,
                name TEXT NULL,
                email TEXT NULL,
                UNIQUE (platform_id, subject),
                FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS courses (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                platform_id VARCHAR(64) NOT NULL,
                deployment_id VARCHAR(255) NOT NULL,
                context_id VARCHAR(255) NOT NULL,
                title TEXT NOT NULL,
                UNIQUE (platform_id, deployment_id, context_id),
                FOREIGN KEY (platform_id) REFERENCES platforms (id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS environments (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                name VARCHAR(255) NOT NULL UNIQUE,
                title TEXT NOT NULL,
                specification MEDIUMTEXT NOT NULL
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS activities (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                course_id VARCHAR(64) NOT NULL,
                resource_link_id VARCHAR(255) NOT NULL,
                title TEXT NOT NULL,
                environment_id VARCHAR(64) NULL,
                UNIQUE (course_id, resource_link_id),
                FOREIGN KEY (course_id) REFERENCES courses (id) ON DELETE CASCADE,
                FOREIGN KEY (environment_id) REFERENCES environments (id) ON DELETE SET NULL
            )\(options)
            """,
            // live_key is "user/environment" while the instance is live and NULL once it is
            // deleted: a unique key on it allows one live instance per user and environment
            // on both engines (MariaDB has no partial indexes).
            """
            CREATE TABLE IF NOT EXISTS lab_instances (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                user_id VARCHAR(64) NOT NULL,
                environment_id VARCHAR(64) NOT NULL,
                live_key VARCHAR(140) NULL UNIQUE,
                state VARCHAR(32) NOT NULL,
                failure_reason TEXT NULL,
                vmid INTEGER NULL,
                node VARCHAR(255) NULL,
                address VARCHAR(255) NULL,
                version INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
                FOREIGN KEY (environment_id) REFERENCES environments (id)
            )\(options)
            """,
            "CREATE INDEX IF NOT EXISTS lab_instances_state ON lab_instances (state, created_at)",
            "CREATE INDEX IF NOT EXISTS lab_instances_user ON lab_instances (user_id, created_at)",
            """
            CREATE TABLE IF NOT EXISTS lab_instance_steps (
                instance_id VARCHAR(64) NOT NULL,
                name VARCHAR(64) NOT NULL,
                attempt INTEGER NOT NULL,
                outcome VARCHAR(16) NOT NULL,
                reference TEXT NULL,
                error TEXT NULL,
                started_at BIGINT NOT NULL,
                finished_at BIGINT NULL,
                PRIMARY KEY (instance_id, name),
                FOREIGN KEY (instance_id) REFERENCES lab_instances (id) ON DELETE CASCADE
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS jobs (
                idempotency_key VARCHAR(255) NOT NULL PRIMARY KEY,
                job_id VARCHAR(64) NOT NULL,
                kind VARCHAR(64) NOT NULL,
                outcome VARCHAR(16) NOT NULL,
                attempts INTEGER NOT NULL,
                error TEXT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            )\(options)
            """,
            """
            CREATE TABLE IF NOT EXISTS audit_events (
                sequence \(dialect.autoIncrementPrimaryKey),
                at BIGINT NOT NULL,
                actor VARCHAR(255) NOT NULL,
                action VARCHAR(64) NOT NULL,
                subject VARCHAR(255) NOT NULL,
                detail TEXT NOT NULL
            )\(options)
            """,
            "CREATE INDEX IF NOT EXISTS audit_events_subject ON audit_events (subject, sequence)",
        ]
    }
}
