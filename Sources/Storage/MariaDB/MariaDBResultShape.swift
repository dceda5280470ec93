import NIOCore

/// A prepared statement's result columns as its last execution had them. The server sends
/// the column definitions with every result; those that arrive byte for byte as last time
/// are not read again, and a statement whose columns changed (another process migrated the
/// table) has them read anew.
///
/// `@unchecked Sendable`: made with the statement, then touched only by the connection's
/// handler, on its event loop.
final class MariaDBResultShape: @unchecked Sendable {
    private var definitions: [ByteBuffer] = []
    private var empty: MariaDBResultRows?

    /// An empty result with the columns read last time, if `definitions` are the same.
    func rows(for definitions: [ByteBuffer]) -> MariaDBResultRows? {
        guard let empty, definitions == self.definitions else { return nil }
        return empty
    }

    func remember(_ definitions: [ByteBuffer], _ rows: MariaDBResultRows) {
        // Copied: a slice would keep the whole read buffer it came from.
        self.definitions = definitions.map { ByteBuffer(bytes: $0.readableBytesView) }
        empty = rows
    }
}
