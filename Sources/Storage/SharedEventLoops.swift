import NIOCore
import NIOPosix

/// The event loops of NIO's shared group, on which connections to MariaDB and Redis live.
enum SharedEventLoops {
    private static let group = MultiThreadedEventLoopGroup.singleton
    private static let loops = Set(group.makeIterator().map { ObjectIdentifier($0) })

    /// The shared loop the caller runs on, where a connection answers it without a thread hop;
    /// any shared loop otherwise. Never a loop of another group (a test's, a server's), which
    /// may be shut down while the connection lives on and would leave its callers waiting for ever.
    static func preferred() -> any EventLoop {
        MultiThreadedEventLoopGroup.currentEventLoop.flatMap { loops.contains(ObjectIdentifier($0)) ? $0 : nil } ?? group.any()
    }
}
