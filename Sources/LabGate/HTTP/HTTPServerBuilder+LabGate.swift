import HummingbirdCore
import NIOCore

extension HTTPServerBuilder {
    /// HTTP/1.1 as LabGate serves it: a connection that sends nothing for `idleTimeout`, or
    /// whose request could not be parsed, is closed rather than kept until the process ends.
    static func labGate(idleTimeout: Duration) -> HTTPServerBuilder {
        .http1(configuration: .init(additionalChannelHandlers: [LingeringCloseHandler()], idleTimeout: TimeAmount(idleTimeout)))
    }
}
