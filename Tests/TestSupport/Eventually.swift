/// Raised by `eventually` when what it waited for did not happen in time.
public struct EventuallyTimedOut: Error, CustomStringConvertible {
    public let description: String
}

/// Waits until `condition` holds, asking every 20 ms, so a test orders its steps on what
/// happened rather than on the clock; fails after `timeout`.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw EventuallyTimedOut(description: "\(what): not within \(timeout)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
