extension ProxmoxClient {
    public func taskStatus(_ upid: UPID) async throws(ProxmoxError) -> PVETaskStatus {
        try await call(.GET, Self.node(upid.node) + "/tasks/\(upid.pathSegment)/status", idempotent: true)
    }

    /// Lines of the task's log from line `start` (0-based), at most `limit`.
    public func taskLog(_ upid: UPID, start: Int = 0, limit: Int = 500) async throws(ProxmoxError) -> [PVETaskLogLine] {
        var params = ProxmoxParameters()
        params.set("start", start)
        params.set("limit", limit)
        return try await call(.GET, Self.node(upid.node) + "/tasks/\(upid.pathSegment)/log", params, idempotent: true)
    }

    /// Waits until the task stops. `OK` and `WARNINGS: n` return; any other exit status
    /// throws `taskFailed` with PVE's text; `timeout` throws `timedOut`.
    @discardableResult
    public func wait(for upid: UPID, timeout: Duration) async throws(ProxmoxError) -> TaskOutcome {
        let deadline = ContinuousClock.now + timeout
        var pause = settings.taskPollInterval / 4
        while true {
            let status = try await taskStatus(upid)
            switch status.outcome {
            case .ok?: return .ok
            case .warnings(let count)?:
                logger.notice("proxmox task ended with warnings", metadata: ["upid": "\(upid)", "warnings": "\(count)"])
                return .warnings(count)
            case .failed(let text)?: throw .taskFailed(upid: upid.rawValue, status: text)
            case nil: break
            }
            guard ContinuousClock.now < deadline else { throw .timedOut("task \(upid) still running after \(timeout)") }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, settings.taskPollInterval)
        }
    }
}
