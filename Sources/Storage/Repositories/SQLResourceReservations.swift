import LabCore

/// Reserved VMIDs and VLAN tags in MariaDB or SQLite; the primary key (kind, value) is what
/// makes a reservation exclusive.
struct SQLResourceReservations: ResourceReservations {
    let database: any SQLDatabase

    func reserve(_ reservation: ResourceReservation) async throws -> Bool {
        do {
            try await database.execute(
                "INSERT INTO resource_reservations (kind, value, holder, created_at) VALUES (?, ?, ?, ?)",
                .text(reservation.kind), .int(reservation.value), .text(reservation.holder.description), .time(reservation.createdAt))
            return true
        } catch StoreError.duplicate {
            return false
        }
    }

    func held(kind: String, by holder: ReservationHolder) async throws -> [ResourceReservation] {
        try await database.query(
            "SELECT kind, value, holder, created_at FROM resource_reservations WHERE holder = ? AND kind = ? ORDER BY value",
            .text(holder.description), .text(kind)
        ).map(Self.reservation)
    }

    func list(kind: String) async throws -> [ResourceReservation] {
        try await database.query(
            "SELECT kind, value, holder, created_at FROM resource_reservations WHERE kind = ? ORDER BY value", .text(kind)
        ).map(Self.reservation)
    }

    func release(heldBy holder: ReservationHolder) async throws -> Int {
        try await database.execute("DELETE FROM resource_reservations WHERE holder = ?", .text(holder.description))
    }

    private static func reservation(_ row: SQLRow) throws -> ResourceReservation {
        let text = try row.string("holder")
        guard let holder = ReservationHolder(text) else { throw StoreError.failed("unreadable reservation holder \(text.debugDescription)") }
        return ResourceReservation(kind: try row.string("kind"), value: try row.int("value"), holder: holder, createdAt: try row.date("created_at"))
    }
}
