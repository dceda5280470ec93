import LabCore
import NIOCore
import NIOPosix
import Synchronization

/// A client's `RedisChannel`s, one per event loop of NIO's shared group: a caller uses the
/// one of the loop it runs on (any one when it runs elsewhere). Each is opened when first
/// needed and replaced once broken, which is how a restarted or failed-over Redis is found again.
final class RedisChannels: Sendable {
    private enum Slot {
        case connecting(EventLoopFuture<RedisChannel>)
        case open(RedisChannel)
    }

    private enum Grant {
        case ready(RedisChannel)
        case pending(EventLoopFuture<RedisChannel>)
    }

    private let connect: @Sendable (any EventLoop) async throws -> RedisChannel
    private let slots = Mutex<(channels: [ObjectIdentifier: Slot], closed: Bool)>(([:], false))

    /// - Parameter connect: opens a channel on the given loop.
    init(connect: @escaping @Sendable (any EventLoop) async throws -> RedisChannel) {
        self.connect = connect
    }

    /// Sends the commands in one write on this loop's channel and returns their replies, error
    /// replies included. `repeatable` commands (ones that may be sent twice) whose
    /// connection was lost under them are sent once more, on a new one: a Redis restarting
    /// while they were on the wire then costs them a moment, not an error. Others cannot be,
    /// since the server may have run them before it went.
    func run(_ commands: [[String]], repeatable: Bool = false) async throws -> [RESPValue] {
        let used = try await channel()
        do {
            return try await used.run(commands)
        } catch  where repeatable && used.isBroken {
            return try await channel().run(commands)
        }
    }

    /// Closes every channel; later calls fail.
    func shutdown() {
        let open = slots.withLock { slots in
            slots.closed = true
            defer { slots.channels = [:] }
            return slots.channels.values.compactMap { if case .open(let channel) = $0 { channel } else { nil } }
        }
        for channel in open { channel.close() }
    }

    private func channel() async throws -> RedisChannel {
        let loop = SharedEventLoops.preferred()
        let key = ObjectIdentifier(loop)
        let grant = try slots.withLock { slots throws(StoreError) -> Grant in
            if slots.closed { throw .unavailable(component: "redis", reason: "the client is shut down") }
            switch slots.channels[key] {
            case .open(let channel) where !channel.isBroken: return .ready(channel)
            case .connecting(let opening): return .pending(opening)
            case .open(let broken):
                broken.close()
            case nil: break
            }
            let opening = loop.makeFutureWithTask { try await self.connect(loop) }
            slots.channels[key] = .connecting(opening)
            opening.whenComplete { result in
                self.slots.withLock { slots in
                    guard case .connecting(let current) = slots.channels[key], current === opening else { return }
                    slots.channels[key] = nil
                    guard case .success(let channel) = result else { return }
                    if slots.closed { channel.close() } else { slots.channels[key] = .open(channel) }
                }
            }
            return .pending(opening)
        }
        switch grant {
        case .ready(let channel): return channel
        case .pending(let opening): return try await opening.get()
        }
    }
}
