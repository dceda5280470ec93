import Synchronization

/// This process's launches waiting for the same turn, in line: the first of them asks the
/// ephemeral store for the turn, the others wait here and are handed the first place in
/// arrival order when it is left. Without it every waiting launch polled Redis: a class of
/// 300 under one quota kept the cores busy polling, and a released turn sat idle until the
/// next poll came.
final class TurnLine: Sendable {
    private struct Lines {
        /// Keys whose first place is taken, with those waiting behind it, oldest first.
        var waiting: [String: [(id: Int, continuation: CheckedContinuation<Bool, Never>)]] = [:]
        /// Waits whose time ran out before they were queued: they must not queue any more.
        var expired: Set<Int> = []
        var nextID = 0
    }

    private let lines = Mutex(Lines())

    /// True once this launch holds `key`'s first place, which it must `leave`; false when
    /// `deadline` came first.
    func enter(_ key: String, until deadline: ContinuousClock.Instant) async -> Bool {
        // A line nobody stands in, as for most launches: the place at once, with no timer.
        let id: Int? = lines.withLock { lines in
            guard lines.waiting[key] != nil else {
                lines.waiting[key] = []
                return nil
            }
            lines.nextID += 1
            return lines.nextID
        }
        guard let id else { return true }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let answer: Bool? = self.lines.withLock { lines in
                        if lines.expired.remove(id) != nil { return false }
                        guard lines.waiting[key] != nil else {
                            lines.waiting[key] = []
                            return true
                        }
                        lines.waiting[key]?.append((id, continuation))
                        return nil
                    }
                    if let answer { continuation.resume(returning: answer) }
                }
            }
            group.addTask {
                // Cancelled when the place came first: then there is nothing to end.
                guard (try? await Task.sleep(until: deadline)) != nil else { return nil }
                self.expire(id, waitingFor: key)
                return nil
            }
            var entered = false
            for await answer in group {
                guard let answer else { continue }
                entered = answer
                group.cancelAll()
            }
            return entered
        }
    }

    /// Hands `key`'s first place to the longest waiter, or frees it.
    func leave(_ key: String) {
        let next = lines.withLock { lines -> CheckedContinuation<Bool, Never>? in
            guard let queue = lines.waiting[key], !queue.isEmpty else {
                lines.waiting[key] = nil
                return nil
            }
            return lines.waiting[key]?.removeFirst().continuation
        }
        next?.resume(returning: true)
    }

    /// Ends the wait `id`: resumes it if it is queued, or marks it so it never queues.
    private func expire(_ id: Int, waitingFor key: String) {
        let waiter = lines.withLock { lines -> CheckedContinuation<Bool, Never>? in
            guard let index = lines.waiting[key]?.firstIndex(where: { $0.id == id }) else {
                lines.expired.insert(id)
                return nil
            }
            return lines.waiting[key]?.remove(at: index).continuation
        }
        waiter?.resume(returning: false)
    }
}
