import Foundation

/// Runs blocking work (a `waitpid`, a raw socket) on a thread of its own and awaits its
/// result: on two cores, a blocked thread of Swift's cooperative pool would stall every other
/// test meanwhile, and the servers the tests start run their handlers on that pool.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
