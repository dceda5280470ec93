import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Ends a connection whose request could not be parsed (a header over the decoder's limit,
/// say) within `linger`, reading and dropping the rest of that request until then.
///
/// Hummingbird answers such a request 400, closes its side and waits for the client's. But
/// nothing reads the connection any more, so a client whose request did not fit in the
/// socket's buffers can never deliver its close: the connection, its buffers and its task were
/// kept until the process ended (in a probe, heaptrack found the channels of all 1,000 such
/// connections alive, about 20 KB each). Reading on lets the client's close arrive, and the
/// deadline ends a client that never closes. Reading before cutting is what other servers call
/// a "lingering close": it keeps the 400 from being lost to a reset while the client still sends.
final class LingeringCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// How long the rest of a refused request is read and dropped before the connection is cut.
    static let linger = TimeAmount.seconds(2)

    private var deadline: Scheduled<Void>?

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if deadline != nil, error is ByteToMessageDecoderError {
            return  // the decoder passing on what it drops after its error: the rest of the refused request
        }
        if deadline == nil, error is HTTPParserError {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) { context.close(promise: nil) }
            context.read()
        }
        context.fireErrorCaught(error)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Nothing downstream asks for reads once the request failed; this handler asks instead.
        if deadline != nil { context.read() }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }
}
