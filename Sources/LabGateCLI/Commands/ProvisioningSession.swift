import Foundation
import LabCore
import LabGate
import Logging
import Provisioning

/// What a provisioning subcommand runs on: an admin session with the Proxmox side opened
/// too (the configured cluster, or the built-in simulator for the command's lifetime).
enum ProvisioningSession {
    static func run<T>(
        _ options: ConfigOptions, audit: AuditedChange? = nil, _ body: (LabGateConfig, Backends, ProvisioningRuntime) async throws -> T
    ) async throws -> T {
        try await AdminSession.run(options, audit: audit) { config, backends in
            var logger = config.logger(label: "labgate")
            logger.logLevel = max(logger.logLevel, .warning)
            let runtime = try await ProvisioningRuntime.open(config, backends: backends, logger: logger)
            do {
                let result = try await body(config, backends, runtime)
                await runtime.shutdown()
                return result
            } catch {
                await runtime.shutdown()
                throw error
            }
        }
    }

    /// Lets the instance's pending work happen and returns it at rest: on an in-process
    /// queue (which no worker process can see) this process does the work; otherwise it
    /// waits for the workers, up to `timeout`.
    static func settle(
        _ id: LabInstanceID, config: LabGateConfig, backends: Backends, runtime: ProvisioningRuntime, timeout: Duration = .seconds(1800)
    ) async throws -> LabInstance {
        if case .memory = config.ephemeral {
            try await advanceHere(id, lifecycle: runtime.lifecycle, queue: config.queue)
        } else {
            let deadline = ContinuousClock.now + timeout
            var last: LabInstanceState?
            while ContinuousClock.now < deadline {
                guard let instance = try await backends.repositories.instances.find(id: id) else { break }
                if instance.state != last {
                    print("  \(instance.state.rawValue)")
                    fflush(nil)
                    last = instance.state
                }
                if instance.state.isResting { return instance }
                try await Task.sleep(for: .seconds(1))
            }
        }
        guard let instance = try await backends.repositories.instances.find(id: id) else {
            throw DescribedFailure("lab instance \(id) is gone")
        }
        return instance
    }

    /// Does the instance's work in this process as a worker would: transient trouble is
    /// tried again with the queue's backoff, saying so, and when the queue's attempts are
    /// spent the instance fails with the last error (as a dead-lettered job leaves it).
    static func advanceHere(_ id: LabInstanceID, lifecycle: LabLifecycle, queue: JobQueueSettings) async throws {
        for attempt in 1...queue.maxAttempts {
            do {
                try await lifecycle.advance(id)
                return
            } catch {
                guard attempt < queue.maxAttempts else {
                    try await lifecycle.abandon(id, reason: JobWorker.gaveUp(after: attempt, error))
                    return
                }
                let pause = queue.backoff(after: attempt)
                print(
                    "  \(error); retrying in \(pause.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))) (attempt \(attempt + 1) of \(queue.maxAttempts))"
                )
                fflush(nil)
                try await Task.sleep(for: pause)
            }
        }
    }
}
