import Foundation
import Logging
import Metrics
import Provisioning
import ServiceLifecycle

/// Runs the reconciler on start and then every interval, and the class preparer every
/// `ClassPreparer.tick`, until shutdown. Every process may run one; the reconciler's lock lets
/// one act at a time.
package struct ReconcilerService: Service {
    let reconciler: Reconciler
    let interval: Duration
    let logger: Logger
    package init(reconciler: Reconciler, interval: Duration, logger: Logger) {
        self.reconciler = reconciler
        self.interval = interval
        self.logger = logger
    }

    let holder = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"

    package func run() async throws {
        // Made before the first pass, so that /metrics shows it at 0 and an alert can watch it grow.
        let unlisted = Counter(label: "labgate_reconciler_unlisted_labs_total")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await every(interval, "reconciled with Proxmox", "cannot reconcile with Proxmox now") {
                    guard let report = try await reconciler.reconcile(holder: holder) else { return nil }
                    unlisted.increment(by: report.unseen)
                    return report == Reconciler.Report() ? nil : "\(report)"
                }
            }
            group.addTask {
                await every(ClassPreparer.tick, "prepared classes' labs", "cannot prepare the classes' labs now") {
                    try await reconciler.prepareClasses(holder: holder).flatMap { $0 == ClassPreparer.Report() ? nil : "\($0)" }
                }
            }
        }
    }

    /// Runs `pass` now and then every `period` until shutdown, logging what it reports (nil: nothing worth a line) or why it failed.
    private func every(_ period: Duration, _ done: Logger.Message, _ failed: Logger.Message, _ pass: () async throws -> String?) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let report = try await pass() { logger.info(done, metadata: ["report": .string(report)]) }
            } catch {
                logger.warning(failed, metadata: ["error": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
        }
    }
}
