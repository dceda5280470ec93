import Hummingbird
import NIOCore

/// The context of every request LabGate serves: Hummingbird's basics and the peer's
/// address, which the audit trail records.
struct LabGateRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
