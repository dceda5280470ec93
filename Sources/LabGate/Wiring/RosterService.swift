import Foundation
import LTIGateway
import Logging
import ServiceLifecycle

/// Has the courses' rosters read again when they are older than `lti.rosterMaxAgeMinutes`,
/// whether or not anyone opens the course page: every worker process runs one, and a course
/// is asked for once a minute at most, whoever asks.
package struct RosterService: Service {
    let rosters: RosterSync
    let logger: Logger

    package init(rosters: RosterSync, logger: Logger) {
        self.rosters = rosters
        self.logger = logger
    }

    package func run() async throws {
        // A quarter of the roster's age, so a roster is never much older than allowed.
        let interval = max(rosters.maxAge / 4, .seconds(15))
        // The first look waits one interval: at start the schema may still be migrating, and
        // the pages ask for the rosters they show anyway.
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            do {
                let asked = try await rosters.readOldRosters()
                if asked > 0 { logger.info("rosters to read again", metadata: ["courses": .stringConvertible(asked)]) }
            } catch {
                logger.warning("cannot look for old rosters now", metadata: ["error": .string("\(error)")])
            }
        }
    }
}
