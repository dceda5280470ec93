import Foundation
import LabCore
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing

@testable import Storage

/// Redis's wire protocol as LabGate's event-loop client writes and reads it, and the client's
/// channels on a real Redis and on a server that never answers.
@Suite("Redis protocol and channels")
struct RedisProtocolTests {
    @Test("a command is an array of bulk strings whose lengths count bytes, not characters")
    func encoding() {
        var buffer = ByteBuffer()
        RESPCoding.write(["SET", "k", "ü"], to: &buffer)
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nü\r\n")
    }

    @Test("each kind of reply is read whole, however the bytes are split, and nothing past it is taken")
    func decodingSplitReplies() throws {
        let cases: [(String, RESPValue)] = [
            ("+OK\r\n", .status("OK")),
            ("-ERR wrong\r\n", .error("ERR wrong")),
            (":-42\r\n", .integer(-42)),
            ("$5\r\na\r\nbc\r\n", .string("a\r\nbc")),
            ("$0\r\n\r\n", .string("")),
            ("$-1\r\n", .null),
            ("*-1\r\n", .null),
            ("*3\r\n$1\r\nx\r\n*2\r\n:1\r\n$-1\r\n+QUEUED\r\n", .array([.string("x"), .array([.integer(1), .null]), .status("QUEUED")])),
        ]
        for (wire, expected) in cases {
            var buffer = ByteBuffer()
            for byte in Array(wire.utf8).dropLast() {
                buffer.writeInteger(byte)
                let before = buffer.readerIndex
                #expect(try RESPCoding.read(from: &buffer) == nil, "\(wire.debugDescription) is not whole yet")
                #expect(buffer.readerIndex == before)
            }
            buffer.writeInteger(Array(wire.utf8).last!)
            buffer.writeString(":7\r\n")
            #expect(try RESPCoding.read(from: &buffer) == expected, "\(wire.debugDescription)")
            #expect(try RESPCoding.read(from: &buffer) == .integer(7), "the next reply is left for the next read")
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("what is not Redis's protocol is refused, not guessed at")
    func decodingMalformed() {
        for wire in ["?what\r\n", ":12x\r\n", "$-2\r\n", "$99999999999\r\n", "$2\r\nabXY", "*-7\r\n"] {
            var buffer = ByteBuffer(string: wire)
            #expect(throws: StoreError.self, "\(wire.debugDescription)") { try RESPCoding.read(from: &buffer) }
        }
    }

    @Test(
        "callers at once on one client each get their own replies, in one connection per event loop",
        .enabled(if: TestServers.shouldTest(TestServers.redisPort)))
    func concurrentCallersOnRealRedis() async throws {
        try await TestServers.withRedisClient { client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for caller in 0..<200 {
                    group.addTask {
                        let replies = try await client.pipeline([
                            ["SET", client.keyPrefix + "k\(caller)", "v\(caller)"], ["GET", client.keyPrefix + "k\(caller)"],
                        ])
                        #expect(replies == [.status("OK"), .string("v\(caller)")])
                        #expect(try await client.send("INCR", client.keyPrefix + "n").integer != nil)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await client.send("GET", client.keyPrefix + "n") == .string("200"))
        }
    }

    @Test(
        "a wrong password fails on both kinds of connection with the setting named and the password not repeated; the right one selects the database",
        .enabled(if: TestServers.shouldTest(TestServers.redisPort)))
    func handshake() async throws {
        let wrong = RedisClient(settings: try TestServers.redis(password: "not-the-password-42"))
        for extraWait in [Duration.zero, .milliseconds(1)] {  // an event-loop channel, then a hiredis connection
            do {
                _ = try await wrong.pipeline([["PING"]], extraWait: extraWait)
                Issue.record("a wrong password was accepted")
            } catch {
                #expect("\(error)".contains("redis.password"))
                #expect(!"\(error)".contains("not-the-password-42"))
            }
        }
        await wrong.shutdown()
        var settings = try TestServers.redis()
        settings.database = 3
        let client = RedisClient(settings: settings)
        for extraWait in [Duration.zero, .milliseconds(1)] {
            #expect(try await client.pipeline([["CLIENT", "INFO"]], extraWait: extraWait)[0].string?.contains("db=3") == true)
        }
        await client.shutdown()
    }

    @Test("a server that never answers: the call fails as unavailable within the timeout, and the next one tries a new connection")
    func silentServer() async throws {
        let accepted = Atomic(0)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                accepted.add(1, ordering: .relaxed)
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let client = RedisClient(settings: RedisSettings(port: server.localAddress!.port!, poolSize: 1, timeout: .milliseconds(300), keyPrefix: ""))
        for attempt in 1...4 {
            let started = ContinuousClock.now
            await #expect(throws: StoreError.self) { try await client.send("PING") }
            // A hang, not the 300 ms: a loaded machine's connect may be tried again for up to 3 s
            // (`ClientBootstrap.restartWindow`), and one took 5.6 s under a parallel test run.
            #expect(started.duration(to: .now) < .seconds(10), "attempt \(attempt)")
        }
        // More than the event loops' count: a connection that timed out is never used again. (A
        // connect slower than the 300 ms timeout on a loaded machine is tried again, and the
        // server may have accepted both.)
        #expect(accepted.load(ordering: .relaxed) >= 4)
        await client.shutdown()
    }

    @Test("a connection the server closed fails a later call at once, not after the call's timeout", .timeLimit(.minutes(1)))
    func closedByServer() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let address = RedisAddress(host: "127.0.0.1", port: server.localAddress!.port!)
        let settings = RedisSettings(port: address.port, poolSize: 1, timeout: .seconds(20), keyPrefix: "")
        let channel = try await RedisChannel.connect(to: address, on: MultiThreadedEventLoopGroup.singleton.any(), settings, watch: nil)
        defer { channel.close() }
        for _ in 0..<200 where !channel.isBroken { try await Task.sleep(for: .milliseconds(10)) }
        #expect(channel.isBroken)
        let started = ContinuousClock.now
        await #expect(throws: StoreError.self) { try await channel.run([["PING"]]) }
        #expect(started.duration(to: .now) < .seconds(5))
    }

    @Test(
        "a connection lost with commands on the wire: the ephemeral store's SET, GET, GETDEL, claims and batches are sent once more on a new one, a DEL or a plain command is not",
        .timeLimit(.minutes(1)))
    func lostUnderCommands() async throws {
        let lostCommands = DroppedCommands()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(DroppingHandler(dropped: lostCommands)) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { server.close(promise: nil) }
        let client = RedisClient(settings: RedisSettings(port: server.localAddress!.port!, poolSize: 1, timeout: .seconds(20), keyPrefix: ""))
        let store = RedisEphemeralStore(client: client)

        try await store.set("once", to: "v", ttl: .seconds(60))
        #expect(try await store.get("once") == "OK")
        #expect(try await store.take("once") == "OK")
        #expect(try await store.run([.set("once", to: "v", ttl: .seconds(60)), .get("kept")]) == [nil, "OK"])
        #expect(lostCommands.count.load(ordering: .relaxed) == 0)

        // Sent twice, lost twice: the second loss is the caller's error.
        await #expect(throws: StoreError.self) { try await store.set("lost", to: "v", ttl: .seconds(60)) }
        #expect(lostCommands.count.load(ordering: .relaxed) == 2)
        await #expect(throws: StoreError.self) { try await store.run([.get("lost")]) }
        #expect(lostCommands.count.load(ordering: .relaxed) == 4)
        await #expect(throws: StoreError.self) { try await store.take("lost") }
        #expect(lostCommands.count.load(ordering: .relaxed) == 6)
        await #expect(throws: StoreError.self) { try await store.claim("lost", for: "t", ttl: .seconds(60)) }
        #expect(lostCommands.count.load(ordering: .relaxed) == 8)
        let notRepeatable: [@Sendable () async throws -> Void] = [
            { _ = try await store.delete("lost") }, { try await client.send("INCR", "lost") },
        ]
        for command in notRepeatable {
            let before = lostCommands.count.load(ordering: .relaxed)
            await #expect(throws: StoreError.self) { try await command() }
            #expect(lostCommands.count.load(ordering: .relaxed) == before + 1)
        }
        // The lost ones left nothing behind: the next command finds a working connection.
        #expect(try await store.get("after") == "OK")
        await client.shutdown()
    }

    @Test("a Redis that refuses connections for a moment, as while it restarts, is reached once it listens again", .timeLimit(.minutes(1)))
    func restartingServer() async throws {
        // A port that was free a moment ago: nothing listens on it until the "restart" ends.
        let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        let client = RedisClient(settings: RedisSettings(port: port, poolSize: 1, timeout: .seconds(2), keyPrefix: ""))
        let call = Task { try await client.send("PING") }
        try await Task.sleep(for: .milliseconds(600))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.pipeline.addHandler(PongHandler()) }
            .bind(host: "127.0.0.1", port: port).get()
        defer { server.close(promise: nil) }
        #expect(try await call.value == .status("PONG"))
        await client.shutdown()
    }
}

/// How many commands a `DroppingHandler` dropped, over all its connections.
private final class DroppedCommands: Sendable {
    let count = Atomic(0)
}

/// Answers each command it reads with the string `OK`, but drops the connection without an
/// answer when what it read names a key that ends in `lost`, as a Redis that goes down with commands on the wire.
private final class DroppingHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let dropped: DroppedCommands

    init(dropped: DroppedCommands) {
        self.dropped = dropped
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let read = String(buffer: unwrapInboundIn(data))
        guard !read.contains("lost\r\n") else {
            dropped.count.add(1, ordering: .relaxed)
            context.close(promise: nil)
            return
        }
        // Each command is an array, and no key or value in the test holds a `*`.
        let commands = read.filter { $0 == "*" }.count
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: String(repeating: "$2\r\nOK\r\n", count: commands))), promise: nil)
    }
}

/// Answers every read with `+PONG`, as Redis answers a PING.
private final class PongHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "+PONG\r\n")), promise: nil)
    }
}
