import Synchronization

/// Wakes, in arrival order, the clones of this process waiting for a slot when one of its
/// clones gives a slot back, so a freed slot is taken at once instead of at the next poll.
/// Slots freed by other processes are still found by polling.
final class SlotReleaseSignal: Sendable {
    private let waiters = Mutex<[(id: Int, continuation: CheckedContinuation<Void, Never>)]>([])
    private let nextID = Atomic<Int>(0)

    /// Returns when a slot was released here, or after `timeout`.
    func wait(timeout: Duration) async {
        let id = nextID.add(1, ordering: .relaxed).newValue
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    self.waiters.withLock { $0.append((id, continuation)) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.resume(id)
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Wakes the longest waiter.
    func signal() {
        let first = waiters.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        first?.continuation.resume()
    }

    private func resume(_ id: Int) {
        let waiter = waiters.withLock { list -> CheckedContinuation<Void, Never>? in
            guard let index = list.firstIndex(where: { $0.id == id }) else { return nil }
            return list.remove(at: index).continuation
        }
        waiter?.resume()
    }
}
