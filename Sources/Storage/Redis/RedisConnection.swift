import CHiredis
import Foundation
import LabCore

/// One hiredis connection.
///
/// `@unchecked Sendable`: the `ConnectionPool` hands a connection to one caller at a time,
/// whose blocking calls run one after another on pool threads.
final class RedisConnection: BlockingConnection, @unchecked Sendable {
    private let context: UnsafeMutablePointer<redisContext>
    private let timeout: Duration
    private let address: RedisAddress
    /// With Sentinels: where the primary is now, so a connection to a former one is dropped.
    private let watch: RedisPrimaryWatch?
    private var failed = false

    var isBroken: Bool { failed || watch?.hasMoved(from: address) == true }

    private init(context: UnsafeMutablePointer<redisContext>, timeout: Duration, address: RedisAddress, watch: RedisPrimaryWatch?) {
        self.context = context
        self.timeout = timeout
        self.address = address
        self.watch = watch
    }

    /// Connects to the primary (where the Sentinels say it is, when there are any),
    /// authenticates and selects the database. Blocking.
    static func connect(_ settings: RedisSettings, watch: RedisPrimaryWatch?) throws -> RedisConnection {
        guard let watch, !settings.sentinels.isEmpty else {
            return try connect(to: RedisAddress(host: settings.host, port: settings.port), settings, watch: nil)
        }
        let primary = try RedisSentinels(settings: settings).primary()
        watch.update(primary)
        return try connect(to: primary, settings, watch: watch)
    }

    /// Connects to the server at `address` and sends `handshake`. Blocking.
    static func open(_ address: RedisAddress, timeout: Duration, handshake: RedisHandshake, watch: RedisPrimaryWatch? = nil) throws -> RedisConnection {
        guard let context = redisConnectWithTimeout(address.host, Int32(address.port), timeout.timeval) else {
            throw StoreError.unavailable(component: "redis", reason: "hiredis could not allocate a connection")
        }
        if context.pointee.err != 0 {
            let reason = Self.errorText(context)
            redisFree(context)
            throw StoreError.unavailable(component: "redis", reason: "cannot connect to \(address): \(reason)")
        }
        let connection = RedisConnection(context: context, timeout: timeout, address: address, watch: watch)
        redisSetTimeout(context, timeout.timeval)
        do {
            let commands = handshake.commands
            if !commands.isEmpty { try handshake.check(connection.run(commands), from: address) }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private static func connect(to address: RedisAddress, _ settings: RedisSettings, watch: RedisPrimaryWatch?) throws -> RedisConnection {
        try open(address, timeout: settings.timeout, handshake: RedisHandshake(settings, checksRole: watch != nil), watch: watch)
    }

    /// Sends the commands in one pipeline and reads their replies, error replies included.
    /// `extraWait` lengthens the read timeout for commands that block on the server. Blocking.
    func run(_ commands: [[String]], extraWait: Duration = .zero) throws -> [RESPValue] {
        if extraWait > .zero { redisSetTimeout(context, (timeout + extraWait).timeval) }
        defer { if extraWait > .zero { redisSetTimeout(context, timeout.timeval) } }
        for command in commands {
            let appended = withArgv(command) { argc, argv, lengths in
                redisAppendCommandArgv(context, argc, argv, lengths)
            }
            guard appended == REDIS_OK else { throw lost() }
        }
        var replies: [RESPValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var reply: UnsafeMutableRawPointer?
            guard redisGetReply(context, &reply) == REDIS_OK, let reply else { throw lost() }
            defer { freeReplyObject(reply) }
            replies.append(Self.value(of: reply.assumingMemoryBound(to: redisReply.self)))
        }
        // A primary demoted to a replica by a failover keeps its clients: drop this connection,
        // so that the next one is opened where the primary is now.
        if replies.contains(where: { if case .error(let message) = $0 { message.hasPrefix("READONLY") } else { false } }) {
            failed = true
        }
        return replies
    }

    func peerHasClosed() -> Bool {
        socketPeerHasClosed(context.pointee.fd)
    }

    func close() {
        redisFree(context)
    }

    private func lost() -> StoreError {
        failed = true
        return .unavailable(component: "redis", reason: "the connection was lost: \(Self.errorText(context))")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RESPValue {
        let r = reply.pointee
        func text() -> String {
            guard let str = r.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(r.len)), as: UTF8.self)
        }
        switch r.type {
        case REDIS_REPLY_STRING: return .string(text())
        case REDIS_REPLY_STATUS: return .status(text())
        case REDIS_REPLY_ERROR: return .error(text())
        case REDIS_REPLY_INTEGER: return .integer(r.integer)
        case REDIS_REPLY_ARRAY:
            guard let elements = r.element else { return .array([]) }
            return .array((0..<Int(r.elements)).map { index in elements[index].map(value(of:)) ?? .null })
        default: return .null
        }
    }

    private func withArgv<T>(
        _ arguments: [String],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> T
    ) -> T {
        let encoded = arguments.map { Array($0.utf8) }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, encoded.reduce(0) { $0 + $1.count }))
        let argv = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, encoded.count))
        let lengths = UnsafeMutablePointer<Int>.allocate(capacity: max(1, encoded.count))
        defer {
            storage.deallocate()
            argv.deallocate()
            lengths.deallocate()
        }
        var offset = 0
        for (index, bytes) in encoded.enumerated() {
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawPointer(storage + offset).copyMemory(from: source.baseAddress ?? UnsafeRawPointer(storage), byteCount: bytes.count)
            }
            argv[index] = UnsafePointer(storage + offset)
            lengths[index] = bytes.count
            offset += bytes.count
        }
        return body(Int32(encoded.count), argv, lengths)
    }
}

extension Duration {
    fileprivate var timeval: timeval {
        let (seconds, attoseconds) = components
        return Foundation.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
