import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS

/// One keep-alive HTTP/1.1 connection to a Proxmox endpoint, used by one request at a time.
/// Opening it finishes the TLS handshake before anything is sent, so a refused certificate
/// is known at once, in words, and certainly had no effect.
final class ProxmoxConnection: Sendable {
    let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    /// Connects and, for HTTPS, completes the handshake with `trust`'s check.
    static func open(to endpoint: ProxmoxEndpoint, trust: ProxmoxTrustCheck?, connectTimeout: Duration) async throws(ProxmoxError) -> ProxmoxConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        let handshake = group.next().makePromise(of: Void.self)
        let verdict = NIOLockedValueBox<String?>(nil)
        do {
            let context = try trust.map { try NIOSSLContext(configuration: $0.configuration) }
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(connectTimeout / .nanoseconds(1))))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let context, let trust {
                            let tls = try NIOSSLClientHandler(
                                context: context, serverHostname: endpoint.isAddress ? nil : endpoint.host,
                                customVerificationCallback: trust.callback(recording: verdict))
                            try pipeline.addHandlers(tls, HandshakeWatcher(promise: handshake))
                        } else {
                            handshake.succeed(())
                        }
                        try pipeline.addHTTPClientHandlers()
                        try pipeline.addHandler(ExchangeHandler())
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
            do {
                try await handshake.futureResult.get()
            } catch {
                channel.close(promise: nil)
                throw error
            }
            return ProxmoxConnection(channel: channel)
        } catch {
            handshake.fail(ChannelError.ioOnClosedChannel)
            if let words = verdict.withLockedValue({ $0 }) { throw .untrustedCertificate(words) }
            throw endpoint.connectionFailure(error, connectTimeout: connectTimeout)
        }
    }

    /// Sends one request and collects the whole answer; the channel is closed if the
    /// answer does not come within `timeout`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, timeout: Duration) async throws -> ProxmoxAnswer {
        let promise = channel.eventLoop.makePromise(of: ProxmoxAnswer.self)
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout / .nanoseconds(1)))) {
            promise.fail(ProxmoxAnswerTimeout())
            channel.close(promise: nil)
        }
        // A connection the server closed while it sat idle refuses the write: nothing was sent.
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { _ in promise.fail(ProxmoxRequestNotSent()) }
        channel.writeAndFlush(ProxmoxExchange(head: head, body: body, promise: promise), promise: written)
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    var isUsable: Bool { channel.isActive }

    func close() { channel.close(promise: nil) }
}

/// A request on its way out, with the promise its answer completes.
struct ProxmoxExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<ProxmoxAnswer>
}

/// A whole answer: status, body, and whether the connection may carry another request.
struct ProxmoxAnswer: Sendable {
    var status: HTTPResponseStatus
    var body: ByteBuffer
    var keepAlive: Bool
}

/// No answer within the request timeout; the request may have had its effect.
struct ProxmoxAnswerTimeout: Error {}

/// The answer ended before it was whole: the server closed or reset the connection.
struct ProxmoxConnectionLost: Error {}

/// The request could not be written: the connection was closed before it, so it had no effect.
struct ProxmoxRequestNotSent: Error {}

/// Writes one exchange's request and completes its promise with the answer.
private final class ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = ProxmoxExchange
    typealias OutboundOut = HTTPClientRequestPart

    /// PVE's largest answers (cluster resources of a big cluster) stay far below this.
    private static let maxBody = 16 << 20
    private var promise: EventLoopPromise<ProxmoxAnswer>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        promise = exchange.promise
        head = nil
        body.clear()
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let bytes = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: writePromise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(var bytes):
            guard body.readableBytes + bytes.readableBytes <= Self.maxBody else {
                return fail(context: context, ProxmoxConnectionLost())
            }
            body.writeBuffer(&bytes)
        case .end:
            guard let head, let promise else { return }
            self.promise = nil
            promise.succeed(ProxmoxAnswer(status: head.status, body: body, keepAlive: head.isKeepAlive))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { fail(context: context, error) }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(ProxmoxConnectionLost())
        promise = nil
        context.fireChannelInactive()
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }
}

/// Completes its promise when the TLS handshake is done, or fails it with the handshake's error.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { promise.succeed(()) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
