import Foundation
import LTIGateway
import LabCore
import Logging

extension LTIService {
    /// The LTI gateway on these backends, sealing and signing with their secret; a student's
    /// launch asks `labs` for their lab.
    package static func open(_ config: LabGateConfig, backends: Backends, labs: any LabRequests, logger: Logger) -> LTIService {
        LTIService(
            settings: config.lti, repositories: backends.repositories, ephemeral: backends.ephemeral, labs: labs,
            destinations: LaunchDestinations(lab: PagePaths.lab, course: PagePaths.course),
            box: backends.box, logger: logger)
    }

    /// The work the gateway gives the job queue: scores on their way to the gradebooks
    /// (audited as every change is), rosters to read and messages to send.
    package func jobs(_ backends: Backends, config: LabGateConfig, logger: Logger) -> LTIJobs {
        let audit = AuditTrail.counted(backends.repositories.audit, logger: logger)
        return LTIJobs(
            grades: gradePassback(queue: backends.queue, settings: config.queue, audit: audit), rosters: rosters(queue: backends.queue, audit: audit),
            messages: studentMessages(audit: audit))
    }

    /// What `serve` does before it accepts requests: declared platforms registered, and a
    /// signing key created if there is none.
    func prepare(platformsDirectory: String, logger: Logger) async throws {
        let count = try await PlatformFile.apply(directory: platformsDirectory, to: registry, webServices: webServices)
        if count > 0 { logger.info("applied platform files", metadata: ["count": .stringConvertible(count), "directory": .string(platformsDirectory)]) }
        if let kid = try await toolKeys.ensureKey(now: Date()) {
            logger.info("created the tool's first signing key", metadata: ["kid": .string(kid)])
        }
        let platforms = try await webServices.configuredPlatforms()
        // Asked in the background: a Moodle that is slow to answer must not hold the start.
        Task { [webServices] in
            for platform in platforms { await Self.report(await webServices.status(of: platform), platform: platform, logger: logger) }
        }
    }

    /// What a platform's web services are, in the log at start: each missing function named with the feature it switches off.
    private static func report(_ status: MoodleWebServices.Status, platform: PlatformID, logger: Logger) {
        let metadata: Logger.Metadata = ["platform": .string(platform.rawValue)]
        switch status {
        case .notConfigured:
            break
        case .failing(let error):
            logger.warning("Moodle's web services do not work: \(error)", metadata: metadata)
        case .ready(let site, let missing):
            logger.info("Moodle's web services of \(site) work", metadata: metadata)
            for function in missing {
                logger.warning("the web-service token may not call \(function.rawValue): \(function.feature) stays off", metadata: metadata)
            }
        }
    }
}
