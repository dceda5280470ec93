import Foundation
import Logging
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
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await reconcileEveryInterval() }
            group.addTask { await prepareEveryTick() }
        }
    }

    private func prepareEveryTick() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let report = try await reconciler.prepareClasses(holder: holder), report != ClassPreparer.Report() {
                    logger.info("prepared classes' labs", metadata: ["report": .string("\(report)")])
                }
            } catch {
                logger.warning("cannot prepare the classes' labs now", metadata: ["error": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: ClassPreparer.tick) }
        }
    }

    private func reconcileEveryInterval() async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                if let report = try await reconciler.reconcile(holder: holder), report != Reconciler.Report() {
                    logger.info("reconciled with Proxmox", metadata: ["report": .string("\(report)")])
                }
            } catch {
                logger.warning("cannot reconcile with Proxmox now", metadata: ["error": .string("\(error)")])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
