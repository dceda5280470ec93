import Synchronization

/// Wakes, in arrival order, the clones of this process waiting for a slot when one of its
/// clones gives a slot back, so a freed slot is taken at once instead of at the next poll.
/// Slots freed by other processes are still found by polling.
final class SlotReleaseSignal: Sendable {
    private struct Waiters {
        var queue: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Waits whose time ran out before they were queued: they must not queue any more.
        var expired: Set<Int> = []
        var nextID = 0
    }

    private let waiters = Mutex(Waiters())

    /// Returns when a slot was released here, or after `timeout`.
    func wait(timeout: Duration) async {
        let id = waiters.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let late = self.waiters.withLock { state in
                        if state.expired.remove(id) != nil { return true }
                        state.queue.append((id, continuation))
                        return false
                    }
                    if late { continuation.resume() }
                }
            }
            group.addTask {
                // Cancelled when a signal came first: then there is nothing to end.
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                self.expire(id)
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Wakes the longest waiter.
    func signal() {
        let first = waiters.withLock { $0.queue.isEmpty ? nil : $0.queue.removeFirst() }
        first?.continuation.resume()
    }

    /// Ends the wait `id`: resumes it if it is queued, or marks it so it never queues.
    private func expire(_ id: Int) {
        let waiter = waiters.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let index = state.queue.firstIndex(where: { $0.id == id }) else {
                state.expired.insert(id)
                return nil
            }
            return state.queue.remove(at: index).continuation
        }
        waiter?.resume()
    }
}
