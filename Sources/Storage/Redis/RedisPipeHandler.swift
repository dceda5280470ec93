import LabCore
import NIOCore

/// Commands sent on one `RedisChannel`, with the promise of their replies.
struct RedisRequest {
    var commands: [[String]]
    var timeout: TimeAmount
    var promise: EventLoopPromise<[RESPValue]>
}

/// Writes requests on a Redis connection as they come, without waiting for earlier answers,
/// and hands each its replies in order (Redis answers a connection's commands in the order sent).
/// A request unanswered within its timeout closes the connection: later replies could no
/// longer be matched to their requests.
final class RedisPipeHandler: ChannelDuplexHandler, EndsOnLateAnswer {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var expected: Int
        var replies: [RESPValue]
        var promise: EventLoopPromise<[RESPValue]>
        var timer: Scheduled<Void>
    }

    private var waiting = CircularBuffer<Waiting>()
    private var received = ByteBuffer()
    /// Why the connection ended, for every request still waiting then.
    private(set) var failure: StoreError?
    /// With TLS: words a failed handshake in terms of the certificate expected.
    private let tlsFailure: ((any Error) -> String)?

    init(tlsFailure: ((any Error) -> String)? = nil) {
        self.tlsFailure = tlsFailure
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64 * request.commands.count)
        for command in request.commands { RESPCoding.write(command, to: &buffer) }
        let timer = deadline(in: request.timeout, context: context, component: "redis")
        waiting.append(Waiting(expected: request.commands.count, replies: [], promise: request.promise, timer: timer))
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        do throws(StoreError) {
            while let value = try RESPCoding.read(from: &received) {
                guard !waiting.isEmpty else { throw .unavailable(component: "redis", reason: "the server sent a reply nobody asked for") }
                waiting[waiting.startIndex].replies.append(value)
                if waiting[waiting.startIndex].replies.count == waiting[waiting.startIndex].expected {
                    let done = waiting.removeFirst()
                    done.timer.cancel()
                    done.promise.succeed(done.replies)
                }
            }
            received.discardReadBytes()
        } catch {
            end(context, error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Kept, so that a request written after this fails at once instead of at its timeout.
        let error = failure ?? .unavailable(component: "redis", reason: "the connection was lost: the server closed it")
        failure = error
        failAll(error)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tlsFailure, ServerTLS.isTLSError(error) { return end(context, .unavailable(component: "redis", reason: tlsFailure(error))) }
        end(context, .unavailable(component: "redis", reason: "the connection was lost: \(error)"))
    }

    func end(_ context: ChannelHandlerContext, _ error: StoreError) {
        if failure == nil { failure = error }
        // Closed before the waiters hear of it, so none of them finds the channel still open.
        context.close(promise: nil)
        failAll(error)
    }

    private func failAll(_ error: StoreError) {
        while let waiter = waiting.popFirst() {
            waiter.timer.cancel()
            waiter.promise.fail(error)
        }
    }
}
