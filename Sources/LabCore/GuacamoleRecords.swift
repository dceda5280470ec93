import Foundation

/// A lab instance's remote-desktop connection as Guacamole's database keeps it.
public struct GuacamoleConnection: Sendable, Hashable {
    /// Unique within `group` (Guacamole enforces names per group only): the instance id.
    public var name: String
    /// The connection group it lives in, under Guacamole's root.
    public var group: String
    /// `rdp`, `vnc` or `ssh`.
    public var protocolName: String
    /// Guacamole's connection parameters (`hostname`, `port`, `username`, …), all of them.
    public var parameters: [String: String]
    public var maxConnections: Int?
    public var maxConnectionsPerUser: Int?

    public init(
        name: String, group: String, protocolName: String, parameters: [String: String],
        maxConnections: Int? = nil, maxConnectionsPerUser: Int? = nil
    ) {
        self.name = name
        self.group = group
        self.protocolName = protocolName
        self.parameters = parameters
        self.maxConnections = maxConnections
        self.maxConnectionsPerUser = maxConnectionsPerUser
    }
}

/// The Guacamole user account LabGate keeps for a student, its password already hashed.
public struct GuacamoleAccount: Sendable, Hashable {
    public var username: String
    /// 32 bytes, hashed the way Guacamole checks it.
    public var passwordHash: [UInt8]
    /// 32 random bytes.
    public var passwordSalt: [UInt8]

    public init(username: String, passwordHash: [UInt8], passwordSalt: [UInt8]) {
        self.username = username
        self.passwordHash = passwordHash
        self.passwordSalt = passwordSalt
    }
}

/// A connection as stored, with its numeric id and who may read it.
public struct StoredGuacamoleConnection: Sendable, Hashable {
    public var id: Int
    public var connection: GuacamoleConnection
    /// Usernames holding READ on the connection.
    public var readers: [String]

    public init(id: Int, connection: GuacamoleConnection, readers: [String]) {
        self.id = id
        self.connection = connection
        self.readers = readers
    }
}

/// Guacamole's own tables (guacamole-auth-jdbc), written by LabGate: its MariaDB database,
/// or the same tables in LabGate's database on the embedded defaults. Every write is
/// idempotent, so a retried step never duplicates a row.
public protocol GuacamoleRecords: Sendable {
    /// In one transaction: the group (made if missing), the connection with exactly these
    /// parameters, the account (an existing one keeps its password), and READ for the account
    /// on the connection and on the group. Returns the connection's id.
    func publish(_ connection: GuacamoleConnection, for account: GuacamoleAccount) async throws -> Int
    /// Takes the account's READ permission on the connection away; the connection stays.
    func revoke(connection name: String, in group: String, from username: String) async throws
    /// Deletes the connection with its parameters and permissions, and the account too when it
    /// can read no other connection. Nothing left to delete is not an error.
    func remove(connection name: String, in group: String, username: String) async throws
    /// The connection with this id, if there is one.
    func connection(id: Int) async throws -> StoredGuacamoleConnection?
    /// The id of the connection named `name` in `group`, if there is one.
    func connectionID(named name: String, in group: String) async throws -> Int?
    /// Each connection of `group` by name, with the sessions Guacamole recorded on it that are
    /// open or ended after `since`; a connection without such sessions is absent.
    func activity(in group: String, since: Date) async throws -> [String: DesktopActivity]
}
