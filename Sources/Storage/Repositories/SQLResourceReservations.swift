import LabCore

/// Reserved VMIDs and VLAN tags in MariaDB or SQLite; the primary key (kind, value) is what
/// makes a reservation exclusive.
struct SQLResourceReservations: ResourceReservations {
    let database: any SQLDatabase

    func reserve(_ reservation: ResourceReservation) async throws -> Bool {
        do {
            try await database.execute(
                "INSERT INTO resource_reservations (kind, value, instance_id, created_at) VALUES (?, ?, ?, ?)",
                .text(reservation.kind), .int(reservation.value), .text(reservation.instanceID.rawValue), .time(reservation.createdAt))
            return true
        } catch StoreError.duplicate {
            return false
        }
    }

    func held(kind: String, by instanceID: LabInstanceID) async throws -> [ResourceReservation] {
        try await database.query(
            "SELECT kind, value, instance_id, created_at FROM resource_reservations WHERE instance_id = ? AND kind = ? ORDER BY value",
            .text(instanceID.rawValue), .text(kind)
        ).map(Self.reservation)
    }

    func list(kind: String) async throws -> [ResourceReservation] {
        try await database.query(
            "SELECT kind, value, instance_id, created_at FROM resource_reservations WHERE kind = ? ORDER BY value", .text(kind)
        ).map(Self.reservation)
    }

    func release(heldBy instanceID: LabInstanceID) async throws -> Int {
        try await database.execute("DELETE FROM resource_reservations WHERE instance_id = ?", .text(instanceID.rawValue))
    }

    private static func reservation(_ row: SQLRow) throws -> ResourceReservation {
        ResourceReservation(
            kind: try row.string("kind"), value: try row.int("value"), instanceID: try row.id("instance_id"),
            createdAt: try row.date("created_at"))
    }
}
