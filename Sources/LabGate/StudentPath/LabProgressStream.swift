import Foundation
import LabCore
import NIOCore
import ServiceLifecycle

/// The waiting page's server-sent events for one lab: `progress` whenever it changes, then
/// `ready` with a fresh single-use link, or the end at a state that waits for the student.
/// A quiet stream carries a comment now and then, so proxies that cut idle connections keep it.
struct LabProgressStream: Sendable {
    /// How often the instance is looked at.
    var pollInterval: Duration = .milliseconds(500)
    /// How long one stream lasts before the browser reconnects (bounded work per request).
    var lifetime: Duration = .seconds(300)
    /// How long the stream may stay quiet before a keep-alive comment.
    var keepAliveInterval: Duration = .seconds(15)

    /// Writes the stream of `first` until it ends; `reload` reads the instance again, `link` makes a single-use link.
    func run(
        _ first: LabInstance, reload: @Sendable (LabInstanceID) async throws -> LabInstance?, link: @Sendable (LabInstance) async throws -> String,
        write: (ByteBuffer) async throws -> Void
    ) async throws {
        var last: LabProgress?
        var instance: LabInstance? = first
        let deadline = ContinuousClock.now + lifetime
        var lastWrite = ContinuousClock.now
        // Ends when LabGate shuts down as well: the browser reconnects to another process.
        while let current = instance, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully {
            let progress = LabProgress(current)
            if progress != last {
                try await write(Self.event("progress", progress))
                last = progress
                lastWrite = .now
            } else if ContinuousClock.now - lastWrite >= keepAliveInterval {
                // A comment line: browsers ignore it.
                try await write(ByteBuffer(string: ": keep-alive\n\n"))
                lastWrite = .now
            }
            if current.state == .ready {
                try await write(Self.event("ready", ["link": try await link(current)]))
                return
            }
            if progress.isFinal { return }
            try await Task.sleep(for: pollInterval)
            instance = try await reload(current.id)
        }
    }

    static func event(_ name: String, _ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(string: "event: \(name)\ndata: \(String(decoding: try JSONEncoder().encode(value), as: UTF8.self))\n\n")
    }
}
