import NIOCore
import NIOPosix

extension ClientBootstrap {
    /// How long a connection a server refuses is tried again: about as long as MariaDB or
    /// Redis take to restart on the same address.
    static let restartWindow = Duration.seconds(3)

    /// Connects, trying again for up to `window` when the connection fails: a server being
    /// restarted refuses connections for a moment, and a launch that waits that moment out
    /// is better than one that fails. The error of the last try is thrown after the window.
    func connect(host: String, port: Int, retryingFor window: Duration) async throws -> any Channel {
        let deadline = ContinuousClock.now + window
        var pause = Duration.milliseconds(50)
        while true {
            do {
                return try await connect(host: host, port: port).get()
            } catch {
                guard ContinuousClock.now + pause < deadline else { throw error }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .milliseconds(400))
            }
        }
    }
}
