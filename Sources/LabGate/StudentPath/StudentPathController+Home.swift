import Foundation
import HTTPTypes
import Hummingbird
import LabCore
import Provisioning
import WebSupport

/// The lab's home, where a student comes back to a ready lab: the desktop, checks, hand-in and reset.
extension StudentPathController {
    func homeView(_ request: Request, session: LaunchSession, instance: LabInstance, environment: LabCore.Environment?) async throws -> LabHomeView {
        var gradable = false
        var grade: Grade?
        if let activityID = session.activityID, let activity = try await repositories.courses.activity(id: activityID) {
            gradable = activity.lineItemURL != nil || activity.lineItemsURL != nil
            if gradable { grade = try await repositories.grades.find(activityID: activityID, userID: session.userID) }
        }
        let query = request.uri.queryParameters
        let checkpointLimit = environment.flatMap { try? EnvironmentSpec.decode($0).checkpoints } ?? 0
        return LabHomeView(
            instance: instance, environment: environment, checkCount: environment.map(checks.count(in:)) ?? 0,
            lastRun: try await repositories.checkRuns.latest(instanceID: instance.id), gradable: gradable, grade: grade,
            checkpointLimit: checkpointLimit,
            checkpoints: checkpointLimit > 0 ? try await repositories.checkpoints.list(instanceID: instance.id) : [],
            unusedWarning: try await UnusedWarning.find(for: instance.id, in: ephemeral),
            notice: HTMLPage.labNotice(query["notice"].map(String.init), wait: query["wait"].flatMap { Int(String($0)) }),
            csrf: web.csrfToken(of: request) ?? "", windowPass: try await web.windowPass(of: request, instance: instance.id) ?? "")
    }

    /// The session's own lab, from a form of the lab's page carrying the session's CSRF token.
    private func ownInstanceForm(_ request: Request, _ context: Context) async throws -> (LaunchSession, LabInstance) {
        let (session, instance, _) = try await ownInstanceFields(request, context)
        return (session, instance)
    }

    /// `ownInstanceForm` with the form's fields, for a form that carries more than its token.
    private func ownInstanceFields(_ request: Request, _ context: Context) async throws -> (LaunchSession, LabInstance, [String: [String]]) {
        let (session, instance) = try await ownInstance(request, context)
        let form = try await request.formFields()
        guard web.isValidCSRFToken(form["csrf"]?.first, of: request) else { throw LabPageError.staleForm }
        return (session, instance, form)
    }

    /// "Open my desktop": a fresh single-use link.
    func desktop(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstanceForm(request, context)
        guard instance.state == .ready else { return Self.back(to: instance) }
        return Response(status: .seeOther, headers: [.location: try await desktops.link(for: instance), .cacheControl: "no-store"])
    }

    /// "Check my work": the environment's checks, run now; the page shows the results.
    func check(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstanceForm(request, context)
        guard let environment = try await repositories.environments.find(id: instance.environmentID) else { throw LabPageError.noSuchLab }
        do {
            _ = try await checks.run(on: instance, environment: environment, handIn: false)
        } catch let refusal as CheckRefusal {
            return Self.back(to: instance, refusal)
        }
        return Self.back(to: instance, notice: "checked")
    }

    /// "Hand in": the checks once more and their points to the gradebook, or, without checks,
    /// a hand-in for the teacher to grade. Only from the activity the student launched.
    func handIn(_ request: Request, _ context: Context) async throws -> Response {
        let (session, instance) = try await ownInstanceForm(request, context)
        guard let activityID = session.activityID else { return Self.back(to: instance, notice: "no-activity") }
        guard let environment = try await repositories.environments.find(id: instance.environmentID) else { throw LabPageError.noSuchLab }
        var run: CheckRun?
        if checks.count(in: environment) > 0 {
            do {
                run = try await checks.run(on: instance, environment: environment, handIn: true)
            } catch let refusal as CheckRefusal {
                return Self.back(to: instance, refusal)
            }
        }
        try await grades.handIn(run, activityID: activityID, userID: session.userID, now: Date())
        context.logger.info("lab handed in", metadata: ["instance": .string(instance.id.rawValue)])
        return Self.back(to: instance, notice: "handed-in")
    }

    /// "Reset my lab": a fresh copy; the waiting page follows it.
    func reset(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstanceForm(request, context)
        _ = try await operations.perform(.reset, on: instance.id)
        context.logger.info("lab reset by its student", metadata: ["instance": .string(instance.id.rawValue)])
        return Self.back(to: instance)
    }

    /// "Save a checkpoint": the lab as it is now, under the student's name for it.
    func saveCheckpoint(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance, form) = try await ownInstanceFields(request, context)
        let label = form["label"]?.first ?? ""
        return try await checkpointWork(on: instance, context) { try await operations.saveCheckpoint(labelled: label, on: instance.id) }
    }

    /// "Go back" to a checkpoint, after the page said what is lost.
    func goBack(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstanceForm(request, context)
        let name = try context.parameters.require("checkpoint")
        return try await checkpointWork(on: instance, context) { try await operations.goBack(to: name, on: instance.id) }
    }

    func deleteCheckpoint(_ request: Request, _ context: Context) async throws -> Response {
        let (_, instance) = try await ownInstanceForm(request, context)
        let name = try context.parameters.require("checkpoint")
        return try await checkpointWork(on: instance, context) { try await operations.deleteCheckpoint(name, on: instance.id) }
    }

    /// Runs a checkpoint request; the lab's page follows its work, or says why it was refused.
    private func checkpointWork(on instance: LabInstance, _ context: Context, _ work: () async throws -> LabInstance) async throws -> Response {
        do {
            let moved = try await work()
            context.logger.info(
                "checkpoint work asked by its student", metadata: ["instance": .string(instance.id.rawValue), "state": .string(moved.state.rawValue)])
            // Saving or deleting ends on the page that lists them; going back ends on the desktop.
            guard moved.state == .checkpointing else { return Self.back(to: instance) }
            return Response(status: .seeOther, headers: [.location: PagePaths.lab(instance.id) + "?then=page"])
        } catch let error as ProvisioningError {
            switch error {
            case .checkpointLimit: return Self.back(to: instance, notice: "checkpoint-full")
            case .checkpointQuota: return Self.back(to: instance, notice: "checkpoint-quota")
            case .invalidCheckpointLabel: return Self.back(to: instance, notice: "checkpoint-label")
            case .unknownCheckpoint: return Self.back(to: instance, notice: "checkpoint-gone")
            case .notAllowed: return Self.back(to: instance, notice: "busy")
            default: throw error
            }
        } catch StoreError.conflict {
            return Self.back(to: instance, notice: "busy")
        }
    }

    /// Post, redirect, get: back to the lab's page, with a notice code.
    private static func back(to instance: LabInstance, notice: String? = nil) -> Response {
        Response(status: .seeOther, headers: [.location: PagePaths.lab(instance.id) + (notice.map { "?notice=\($0)" } ?? "")])
    }

    private static func back(to instance: LabInstance, _ refusal: CheckRefusal) -> Response {
        switch refusal {
        case .noChecks: back(to: instance)
        case .running: back(to: instance, notice: "running")
        case .tooSoon(let seconds): back(to: instance, notice: "too-soon&wait=\(seconds)")
        }
    }
}
