import Crypto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// A certificate pinned by its SHA-256 fingerprint. async-http-client cannot run a custom
/// check on each handshake, so the pin is checked in a handshake of our own (which sends
/// nothing), and the certificate that passed becomes the only one the client trusts.
struct CertificatePin: Sendable {
    let fingerprint: [UInt8]

    init(_ text: String) throws(ProxmoxError) {
        let hex = text.filter { $0 != ":" }.lowercased()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
            let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        guard bytes.count == 32, index == hex.endIndex else {
            throw .invalidSettings("the pinned fingerprint must be 32 bytes of SHA-256 in hex, as Proxmox shows it")
        }
        fingerprint = bytes
    }

    func matches(_ certificate: NIOSSLCertificate) -> Bool {
        guard let der = try? certificate.toDERBytes() else { return false }
        return Array(SHA256.hash(data: der)) == fingerprint
    }

    /// Connects to `host:port`, and returns the server's certificate if it is the pinned one.
    func fetch(host: String, port: Int, connectTimeout: Duration) async throws(ProxmoxError) -> NIOSSLCertificate {
        let seen = NIOLockedValueBox<NIOSSLCertificate?>(nil)
        let mismatch = ProxmoxError.untrustedCertificate(
            "\(host):\(port) presented a certificate whose SHA-256 fingerprint is not the pinned one")
        do {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .noHostnameVerification
            let context = try NIOSSLContext(configuration: tls)
            let isAddress = (try? SocketAddress(ipAddress: host, port: port)) != nil
            let pin = self
            let handshake = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(connectTimeout / .nanoseconds(1))))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let ssl = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host) { chain, promise in
                            guard let leaf = chain.first, pin.matches(leaf) else { return promise.succeed(.failed) }
                            seen.withLockedValue { $0 = leaf }
                            promise.succeed(.certificateVerified)
                        }
                        try channel.pipeline.syncOperations.addHandlers(ssl, HandshakeWatcher(promise: handshake))
                    }
                }
                .connect(host: host, port: port).get()
            defer { channel.close(promise: nil) }
            try await handshake.futureResult.get()
        } catch {
            if seen.withLockedValue({ $0 }) == nil, error is NIOSSLError || error is BoringSSLError { throw mismatch }
            throw .connection("\(host):\(port): \(error)", sent: false)
        }
        guard let certificate = seen.withLockedValue({ $0 }) else { throw mismatch }
        return certificate
    }
}

/// Completes its promise when the TLS handshake is done, or fails it with the handshake's error.
private final class HandshakeWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<Void>
    private var finished = false

    init(promise: EventLoopPromise<Void>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event { finish(.success(())) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { finish(.failure(error)) }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(ChannelError.ioOnClosedChannel))
        context.fireChannelInactive()
    }

    /// Only the first outcome counts; later events arrive after the answer is known.
    private func finish(_ result: Result<Void, any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(result)
    }
}
